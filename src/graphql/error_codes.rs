//! Stamps `extensions.code` on the errors async-graphql raises by itself (parse,
//! validation, limits, argument coercion), and hides the text of any error that reaches
//! the client without a code: that is a bug, and its message may hold internals.

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use async_graphql::{
    Response, ServerError, ServerResult, ValidationResult, Variables,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextRequest,
        NextValidation,
    },
    parser::types::ExecutableDocument,
};

use crate::error::msg;

pub const PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
pub const VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";

pub struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodesExtension {
            executing: AtomicBool::new(false),
        })
    }
}

struct ErrorCodesExtension {
    /// Set once execution starts: later errors come from resolvers, not from the request.
    executing: AtomicBool,
}

pub fn has_code(err: &ServerError) -> bool {
    err.extensions
        .as_ref()
        .is_some_and(|ext| ext.get("code").is_some())
}

pub fn stamp(err: &mut ServerError, code: &str) {
    if !has_code(err) {
        err.extensions
            .get_or_insert_with(Default::default)
            .set("code", code);
    }
}

#[async_trait::async_trait]
impl Extension for ErrorCodesExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        let executing = self.executing.load(Ordering::SeqCst);
        for err in &mut response.errors {
            if has_code(err) {
                continue;
            }
            if !executing {
                // Operation selection ("Unknown operation named ...") fails after validation.
                stamp(err, VALIDATION_FAILED);
            } else if err.message.starts_with("Failed to parse")
                || err.message.starts_with("Invalid value")
            {
                stamp(err, "BAD_USER_INPUT");
            } else {
                tracing::error!(error = %err.message, path = ?err.path, "uncoded GraphQL error");
                let hidden = msg!("internal error");
                err.message = hidden.english();
                err.source = Some(Arc::new(hidden));
                stamp(err, "INTERNAL_SERVER_ERROR");
            }
        }
        response
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables).await.map_err(|mut err| {
            // The parse step also checks recursion depth and directive counts: a document
            // that parses on its own failed a limit, which is a validation failure.
            let code = if async_graphql::parser::parse_query(query).is_ok() {
                VALIDATION_FAILED
            } else {
                PARSE_FAILED
            };
            stamp(&mut err, code);
            err
        })
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|mut errors| {
            for err in &mut errors {
                stamp(err, VALIDATION_FAILED);
            }
            errors
        })
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        self.executing.store(true, Ordering::SeqCst);
        next.run(ctx, operation_name).await
    }
}
