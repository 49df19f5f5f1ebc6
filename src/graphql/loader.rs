//! The per-request DataLoader. Each domain implements `Loader<Key>` for [`DbLoader`] with its
//! own key types, so one loader batches every lookup of a request: a list of 100 users asks
//! for their grants in one statement, not 100. Results are cached for the request, and list
//! resolvers prime the cache for the fields the query selects (see [`selects`]), so the
//! number of statements does not depend on how the executor happens to split batches.
//!
//! The loaders read by key without the caller's reach, and that is safe because of one
//! rule (see `tenancy`): a key only ever comes from an object that a `visible_*` lookup or a
//! reach-filtered list returned, so the parent's check covers its children. A resolver
//! never builds a key from client input; input IDs go through `visible_*` first.

use async_graphql::{
    Context,
    dataloader::{DataLoader, HashMapCache},
};

use crate::db::Db;

pub struct DbLoader {
    pub db: Db,
}

pub type RequestLoader = DataLoader<DbLoader, HashMapCache>;

pub fn new_request_loader(db: Db) -> RequestLoader {
    DataLoader::with_cache(DbLoader { db }, tokio::spawn, HashMapCache::default())
}

pub fn loader<'a>(ctx: &Context<'a>) -> &'a RequestLoader {
    ctx.data_unchecked::<RequestLoader>()
}

/// Whether the query selects the field at `path` below the current field (for a
/// connection: `["edges", "node", "grants"]`).
pub fn selects(ctx: &Context<'_>, path: &[&str]) -> bool {
    let mut lookahead = ctx.look_ahead();
    for name in path {
        lookahead = lookahead.field(name);
    }
    lookahead.exists()
}

/// Whether a connection's query selects `path` below its nodes, through `edges { node }`
/// or the `nodes` shortcut.
pub fn page_selects(ctx: &Context<'_>, path: &[&str]) -> bool {
    let under = |prefix: &[&str]| {
        let full: Vec<&str> = prefix.iter().chain(path).copied().collect();
        selects(ctx, &full)
    };
    under(&["edges", "node"]) || under(&["nodes"])
}
