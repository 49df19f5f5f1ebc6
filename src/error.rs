//! One error type for the whole server. Each variant names the `extensions.code` a client
//! sees (ARCHITECTURE.md §7). Internal errors are logged with their cause and reach the
//! client as a bland message: database and panic text never leave the server.

use async_graphql::ErrorExtensions;

pub type AppResult<T> = Result<T, AppError>;

/// Deliberately not `Display`: async-graphql converts any `Display` type into an error
/// without a code, so a `?` could silently drop the code. The only conversion is ours.
#[derive(Debug)]
pub enum AppError {
    /// UNAUTHENTICATED: no valid credentials, or the login failed.
    Unauthenticated(&'static str),
    /// FORBIDDEN: the caller can see the object but may not do this to it.
    Forbidden(&'static str),
    /// FORBIDDEN with reason PASSWORD_CHANGE_REQUIRED: an initial or reset password is in
    /// use; only `changePassword`, `logout` and `me` work until it is changed.
    PasswordChangeRequired,
    /// NOT_FOUND: no such object within the caller's reach (out-of-reach IDs look absent).
    NotFound(&'static str),
    /// BAD_USER_INPUT, with `extensions.field` naming the input path.
    BadUserInput { field: String, message: String },
    /// CONFLICT: a uniqueness rule or a concurrent change refused the request.
    Conflict(String),
    /// RATE_LIMITED, with `extensions.retryAfterSeconds`.
    RateLimited { retry_after_secs: i64 },
    /// LEDGER_TAMPERED, with `extensions.seq`: stored ledger entries no longer match what
    /// was published of them, so they are not served as if they did.
    LedgerTampered { seq: i64 },
    /// INTERNAL_SERVER_ERROR: a bug or an outage; the cause is logged, never sent.
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadUserInput {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn internal(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(err))
    }

    /// The same refusal as NOT_FOUND of `what`: an object out of reach looks absent
    /// whichever check refused it. An internal error stays internal (a database outage is
    /// not "not found").
    pub fn hidden_as(self, what: &'static str) -> Self {
        match self {
            Self::Internal(_) => self,
            _ => Self::NotFound(what),
        }
    }

    /// The message the client sees.
    pub fn message(&self) -> String {
        match self {
            Self::Unauthenticated(m) | Self::Forbidden(m) => (*m).to_owned(),
            Self::PasswordChangeRequired => {
                "the password must be changed before anything else".to_owned()
            }
            Self::NotFound(what) => format!("{what} not found"),
            Self::BadUserInput { message, .. } => message.clone(),
            Self::Conflict(m) => m.clone(),
            Self::RateLimited { .. } => "too many attempts, try again later".to_owned(),
            Self::LedgerTampered { seq } => format!(
                "the fund's ledger no longer matches this published statement (from entry {seq} on); report it to the street office"
            ),
            Self::Internal(_) => "internal error".to_owned(),
        }
    }

    /// A description for operators (command line, logs), including internal causes.
    pub fn describe(&self) -> String {
        match self {
            Self::Internal(cause) => format!("internal error: {cause}"),
            Self::BadUserInput { field, message } => format!("{field}: {message}"),
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
        async_graphql::Error::new(err.message()).extend_with(|_, ext| {
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
pub fn on_unique_violation(err: sea_orm::DbErr, message: &str) -> AppError {
    match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::Conflict(message.into()),
        _ => AppError::internal(err),
    }
}
