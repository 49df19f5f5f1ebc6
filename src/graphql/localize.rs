//! Puts error messages in the client's language once a response is complete. Errors carry
//! their [`Msg`] as the `source` async-graphql keeps (and never serialises) from the
//! resolver, the DataLoader or the extension that raised them to the response; here each
//! is rendered again when the client reads Chinese. Errors without one (async-graphql's
//! own validation text) stay as they are.

use async_graphql::{Data, Executor, Pos, Request, Response, ServerError};
use futures::{StreamExt, stream::BoxStream};
use std::{future::Future, sync::Arc};

use crate::error::{Locale, Msg};

/// Renders the messages of `response` in `locale`.
pub fn localize(response: &mut Response, locale: Locale) {
    if locale == Locale::En {
        return;
    }
    for err in &mut response.errors {
        if let Some(msg) = err.source::<Msg>() {
            err.message = msg.text(locale);
        }
    }
}

/// A schema whose responses come back in one language: for `/graphql/ws`, where
/// async-graphql's protocol handler writes the responses itself.
#[derive(Clone)]
pub struct Localized<E> {
    pub executor: E,
    pub locale: Locale,
}

impl<E: Executor> Executor for Localized<E> {
    fn execute(&self, request: Request) -> impl Future<Output = Response> + Send {
        let (executor, locale) = (self.executor.clone(), self.locale);
        async move {
            let mut response = executor.execute(request).await;
            localize(&mut response, locale);
            response
        }
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let locale = self.locale;
        self.executor
            .execute_stream(request, session_data)
            .map(move |mut response| {
                localize(&mut response, locale);
                response
            })
            .boxed()
    }
}

/// A `ServerError` of ours (query limits, hidden internals), English with its `Msg` kept
/// for [`localize`].
pub fn server_error(msg: Msg, pos: Option<Pos>) -> ServerError {
    let mut err = ServerError::new(msg.english(), pos);
    err.source = Some(Arc::new(msg));
    err
}
