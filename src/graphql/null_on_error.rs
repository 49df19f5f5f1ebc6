//! A nullable field whose resolver fails answers `null` beside its error, as the GraphQL
//! spec says. async-graphql 7 leaves the field out of its object instead (and `data`
//! becomes `null` when no root field is left), so a client's normalised cache sees a
//! missing field, and Relay treats the record as incomplete.
//!
//! Subscriptions are left as they are: their events do not pass through `request`.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicBool, Ordering},
};

use async_graphql::{
    Response, ServerError, ServerResult, Value,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextRequest, NextResolve, ResolveInfo,
    },
};

pub struct NullOnError;

impl ExtensionFactory for NullOnError {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(NullOnErrorExtension {
            in_request: AtomicBool::new(false),
            errors: Mutex::new(Vec::new()),
        })
    }
}

struct NullOnErrorExtension {
    /// Set while a query or mutation runs, whose response the held errors join.
    in_request: AtomicBool,
    /// The errors of the fields answered `null`, in the order they failed.
    errors: Mutex<Vec<ServerError>>,
}

impl NullOnErrorExtension {
    fn held(&self) -> std::sync::MutexGuard<'_, Vec<ServerError>> {
        self.errors.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait::async_trait]
impl Extension for NullOnErrorExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        self.in_request.store(true, Ordering::SeqCst);
        let mut response = next.run(ctx).await;
        response.errors.append(&mut self.held());
        response
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let nullable = !info.return_type.ends_with('!');
        match next.run(ctx, info).await {
            Err(err) if nullable && self.in_request.load(Ordering::SeqCst) => {
                self.held().push(err);
                Ok(Some(Value::Null))
            }
            answer => answer,
        }
    }
}
