//! One error type for the whole server. Each variant names the `extensions.code` a client
//! sees (ARCHITECTURE.md §7). Internal errors are logged with their cause and reach the
//! client as a bland message: database and panic text never leave the server.
//!
//! Messages are [`Msg`] values built with [`msg!`] from English templates; `messages.rs` is
//! the one table of their Chinese translations. The client's language is applied when the
//! response is written (`graphql::localize`), so logs and the audit log stay English.

mod locale;
mod messages;
mod msg;

use std::sync::Arc;

use async_graphql::ErrorExtensions;

pub use locale::Locale;
pub(crate) use msg::msg;
pub use msg::{Arg, IntoArg, Msg, Term};

pub type AppResult<T> = Result<T, AppError>;

/// Deliberately not `Display`: async-graphql converts any `Display` type into an error
/// without a code, so a `?` could silently drop the code. The only conversion is ours.
#[derive(Debug)]
pub enum AppError {
    /// UNAUTHENTICATED: no valid credentials, or the login failed.
    Unauthenticated(Msg),
    /// FORBIDDEN: the caller can see the object but may not do this to it.
    Forbidden(Msg),
    /// FORBIDDEN with reason PASSWORD_CHANGE_REQUIRED: an initial or reset password is in
    /// use; only `changePassword`, `logout` and `me` work until it is changed.
    PasswordChangeRequired,
    /// NOT_FOUND: no such object within the caller's reach (out-of-reach IDs look absent).
    /// The message names the object ("household not found").
    NotFound(Msg),
    /// BAD_USER_INPUT, with `extensions.field` naming the input path.
    BadUserInput { field: String, message: Msg },
    /// CONFLICT: a uniqueness rule or a concurrent change refused the request.
    Conflict(Msg),
    /// RATE_LIMITED, with `extensions.retryAfterSeconds`.
    RateLimited { retry_after_secs: i64 },
    /// LEDGER_TAMPERED, with `extensions.seq`: stored ledger entries no longer match what
    /// was published of them, so they are not served as if they did.
    LedgerTampered { seq: i64 },
    /// INTERNAL_SERVER_ERROR: a bug or an outage; the cause is logged, never sent.
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    pub fn bad_input(field: impl Into<String>, message: Msg) -> Self {
        Self::BadUserInput {
            field: field.into(),
            message,
        }
    }

    pub fn internal(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(err))
    }

    /// The same refusal as NOT_FOUND of `what`: an object out of reach looks absent
    /// whichever check refused it. An internal error stays internal (a database outage is
    /// not "not found").
    pub fn hidden_as(self, not_found: Msg) -> Self {
        match self {
            Self::Internal(_) => self,
            _ => Self::NotFound(not_found),
        }
    }

    /// The message the client sees, in either language.
    pub fn msg(&self) -> Msg {
        match self {
            Self::Unauthenticated(m)
            | Self::Forbidden(m)
            | Self::NotFound(m)
            | Self::Conflict(m)
            | Self::BadUserInput { message: m, .. } => m.clone(),
            Self::PasswordChangeRequired => {
                msg!("the password must be changed before anything else")
            }
            Self::RateLimited { .. } => msg!("too many attempts, try again later"),
            Self::LedgerTampered { seq } => msg!(
                "the fund's ledger no longer matches this published statement (from entry {seq} on); report it to the street office",
                seq = seq
            ),
            Self::Internal(_) => msg!("internal error"),
        }
    }

    /// The message in English.
    pub fn message(&self) -> String {
        self.msg().english()
    }

    /// A description for operators (command line, logs), including internal causes.
    pub fn describe(&self) -> String {
        match self {
            Self::Internal(cause) => format!("internal error: {cause}"),
            Self::BadUserInput { field, message } => format!("{field}: {}", message.english()),
            other => other.message(),
        }
    }

    /// The stable `extensions.code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated(_) => "UNAUTHENTICATED",
            Self::Forbidden(_) | Self::PasswordChangeRequired => "FORBIDDEN",
            Self::NotFound(_) => "NOT_FOUND",
            Self::BadUserInput { .. } => "BAD_USER_INPUT",
            Self::Conflict(_) => "CONFLICT",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::LedgerTampered { .. } => "LEDGER_TAMPERED",
            Self::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::internal(err)
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(err: sea_orm::TransactionError<AppError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(app) => app,
        }
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        if let AppError::Internal(cause) = &err {
            // The request span carries the request id, so the log line can be found from
            // the id the client got back in `x-request-id`.
            tracing::error!(error = %cause, "internal error");
        }
        let code = err.code();
        let msg = err.msg();
        // The English text by default; the `Msg` rides along as the source (never
        // serialised), for the response writer to render in the client's language.
        let error = async_graphql::Error {
            message: msg.english(),
            source: Some(Arc::new(msg)),
            extensions: None,
        };
        error.extend_with(|_, ext| {
            ext.set("code", code);
            match &err {
                AppError::BadUserInput { field, .. } => ext.set("field", field.as_str()),
                AppError::RateLimited { retry_after_secs } => {
                    ext.set("retryAfterSeconds", *retry_after_secs)
                }
                AppError::PasswordChangeRequired => ext.set("reason", "PASSWORD_CHANGE_REQUIRED"),
                AppError::LedgerTampered { seq } => ext.set("seq", *seq),
                _ => {}
            }
        })
    }
}

/// Maps a unique-key violation to CONFLICT and anything else to an internal error.
pub fn on_unique_violation(err: sea_orm::DbErr, message: Msg) -> AppError {
    match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::Conflict(message),
        _ => AppError::internal(err),
    }
}
