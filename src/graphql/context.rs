//! Per-request data put into every GraphQL request by the HTTP handler.

use std::sync::{
    Mutex,
    atomic::{AtomicBool, Ordering},
};

use uuid::Uuid;

use async_graphql::Context;

use crate::config::public_base::PublicBase;
use crate::{
    auth::Viewer,
    error::{AppError, AppResult, Msg, msg},
    state::Services,
};

/// Who is calling, decided once per request from the `Authorization` header. A bad token
/// does not fail the request by itself: `login` and `refreshToken` still work with a stale
/// header, and everything else answers UNAUTHENTICATED.
pub enum Caller {
    Anonymous,
    User(std::sync::Arc<Viewer>),
    /// The token was expired, forged, or its session ended; the message says which.
    Refused(Msg),
}

/// Facts about the HTTP request that services record (audit) or limit on (throttle).
impl Caller {
    /// The row-level-security scope of this caller's transactions (`db::Scope`): every
    /// place they hold a grant in, or the public scope without a valid login.
    pub fn scope(&self) -> crate::db::Scope {
        match self {
            Self::User(viewer) => {
                crate::db::Scope::of_reach(&viewer.reach(crate::auth::Capability::ReadOrg))
            }
            Self::Anonymous | Self::Refused(_) => crate::db::Scope::Public,
        }
    }
}

pub struct RequestMeta {
    pub request_id: String,
    pub client_addr: String,
    password_attempted: AtomicBool,
    /// (community, person) whose personal data this response carries, for the audit log.
    personal_data: Mutex<Vec<(Uuid, Uuid)>>,
}

impl RequestMeta {
    pub fn new(request_id: String, client_addr: String) -> Self {
        Self {
            request_id,
            client_addr,
            password_attempted: AtomicBool::new(false),
            personal_data: Mutex::new(Vec::new()),
        }
    }

    /// Notes that the response carries personal data of `person` (of `community`).
    pub fn returned_personal_data(&self, community: Uuid, person: Uuid) {
        if let Ok(mut seen) = self.personal_data.lock() {
            seen.push((community, person));
        }
    }

    /// Whose personal data the response carried, each person once.
    pub fn personal_data_returned(&self) -> Vec<(Uuid, Uuid)> {
        let mut seen = self
            .personal_data
            .lock()
            .map(|seen| seen.clone())
            .unwrap_or_default();
        seen.sort();
        seen.dedup();
        seen
    }

    /// Allows one password check per request, so that aliases cannot try ten passwords
    /// in one request and bypass the login throttle's counting.
    pub fn claim_password_attempt(&self) -> AppResult<()> {
        if self.password_attempted.swap(true, Ordering::SeqCst) {
            return Err(AppError::RateLimited {
                retry_after_secs: 1,
            });
        }
        Ok(())
    }
}

pub trait ContextExt {
    fn services(&self) -> &Services;
    fn meta(&self) -> &RequestMeta;
    fn caller(&self) -> &Caller;
    /// Where public links point: the HTTP request's (see `PublicBase::of_request`), or
    /// `JIEDAO_PUBLIC_URL`, or the listen address over WebSocket without one.
    fn public_base(&self) -> PublicBase;

    /// The logged-in caller; refused while the password must be changed.
    fn viewer(&self) -> AppResult<&Viewer> {
        let viewer = self.viewer_even_if_password_expired()?;
        if viewer.must_change_password {
            return Err(AppError::PasswordChangeRequired);
        }
        Ok(viewer)
    }

    /// The logged-in caller, also while an initial or reset password is still in use (for
    /// `me`, `changePassword` and `logout`).
    fn viewer_even_if_password_expired(&self) -> AppResult<&Viewer> {
        match self.caller() {
            Caller::User(viewer) => Ok(viewer),
            Caller::Anonymous => Err(AppError::Unauthenticated(msg!("log in first"))),
            Caller::Refused(message) => Err(AppError::Unauthenticated(message.clone())),
        }
    }
}

impl ContextExt for Context<'_> {
    fn services(&self) -> &Services {
        self.data_unchecked::<Services>()
    }

    fn meta(&self) -> &RequestMeta {
        self.data_unchecked::<std::sync::Arc<RequestMeta>>()
    }

    fn caller(&self) -> &Caller {
        self.data_unchecked::<Caller>()
    }

    fn public_base(&self) -> PublicBase {
        self.data_opt::<PublicBase>()
            .cloned()
            .unwrap_or_else(|| PublicBase::of_request(&self.services().config, &Default::default()))
    }
}
