//! The live side of requests: a grid worker hears at once of each request assigned to them,
//! over `/graphql/ws`.

use async_graphql::{Context, Result, Subscription};
use entity::role_grant::Role;
use futures::{Stream, StreamExt, stream};
use tokio::sync::broadcast::{Receiver, error::RecvError};
use uuid::Uuid;

use super::{access::visible_request, types::ServiceRequest};
use crate::{
    error::{AppError, msg},
    graphql::ContextExt,
    live::LiveEvent,
};

#[derive(Default)]
pub struct RequestSubscription;

#[Subscription]
impl RequestSubscription {
    /// Each request assigned to the caller from now on: filed in their grid, or handed to
    /// them by staff. For grid workers; nobody else is ever assigned a request.
    async fn request_assigned(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = Result<ServiceRequest>> + use<>> {
        let viewer = ctx.viewer()?.clone();
        if viewer.scope_ids(Role::GridWorker).is_empty() {
            return Err(
                AppError::Forbidden(msg!("only grid workers are assigned requests")).into(),
            );
        }
        let services = ctx.services().clone();
        let events = services.live.subscribe().await.map_err(AppError::from)?;
        let stream = assigned_to(events, viewer.user_id).filter_map(move |id| {
            let (services, viewer) = (services.clone(), viewer.clone());
            async move {
                // Read through the caller's own access, as a query would: a request they
                // can no longer see is skipped.
                match visible_request(services.db.reader(), &viewer, id).await {
                    Ok((request, _, _)) => Some(Ok(request.into())),
                    Err(AppError::NotFound(_)) => None,
                    Err(err) => Some(Err(err.into())),
                }
            }
        });
        Ok(stream)
    }
}

/// The ids of requests assigned to `user`, as the events arrive.
fn assigned_to(events: Receiver<LiveEvent>, user: Uuid) -> impl Stream<Item = Uuid> {
    stream::unfold(events, move |mut events| async move {
        loop {
            match events.recv().await {
                Ok(LiveEvent::RequestAssigned {
                    request_id,
                    assignee_id,
                    ..
                }) if assignee_id == user => return Some((request_id, events)),
                Ok(_) => {}
                Err(RecvError::Lagged(skipped)) => {
                    tracing::warn!(skipped, "a live subscriber fell behind; events skipped");
                }
                Err(RecvError::Closed) => return None,
            }
        }
    })
}
