//! Uploads in GraphQL mutations: the files of a multipart request as the file store takes
//! them, and what storing them needs from the context.

use crate::{
    files::{FileStore, service::Upload},
    graphql::ContextExt,
};

/// The files of a multipart request, read from the GraphQL `Upload` values.
pub fn read_uploads(
    ctx: &async_graphql::Context<'_>,
    uploads: Vec<async_graphql::Upload>,
) -> async_graphql::Result<Vec<Upload>> {
    uploads
        .into_iter()
        .map(|u| {
            let value = u.value(ctx)?;
            Ok(Upload {
                file_name: value.filename,
                bytes: value.content,
            })
        })
        .collect()
}

/// The store and the size limit of one file, for a mutation that stores uploads.
pub fn store_and_limit(ctx: &async_graphql::Context<'_>) -> (FileStore, usize) {
    let services = ctx.services();
    (services.files.clone(), services.config.max_file_bytes)
}
