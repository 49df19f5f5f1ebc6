//! The per-request DataLoader. Each domain implements `Loader<Key>` for [`DbLoader`] with its
//! own key types, so one loader batches every lookup of a request: a list of 100 users asks
//! for their grants in one statement, not 100.

use async_graphql::{Context, dataloader::DataLoader};

use crate::db::Db;

pub struct DbLoader {
    pub db: Db,
}

pub type RequestLoader = DataLoader<DbLoader>;

pub fn new_request_loader(db: Db) -> RequestLoader {
    DataLoader::new(DbLoader { db }, tokio::spawn)
}

pub fn loader<'a>(ctx: &Context<'a>) -> &'a RequestLoader {
    ctx.data_unchecked::<RequestLoader>()
}
