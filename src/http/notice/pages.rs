//! The public notice as pages: `/s/{token}` (a statement) and `/r/{token}` (a resolution)
//! for phones, `…/print` for the notice board, `…/qr.svg` and `qr.png`, and the checking
//! script. A link that opens nothing, or a ledger changed since publication, answers an
//! HTML page in Chinese too.

use axum::{
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use super::{plausible_token, public};
use crate::{
    app::AppState,
    config::public_base::PublicBase,
    error::{AppError, AppResult},
    funds::statements,
    notice::{
        page::{self, CONTENT_SECURITY_POLICY, Problem, VERIFY_JS},
        qr::Qr,
        resolution_document, resolution_page, statement_document,
        statement_page::{self, View},
    },
};

/// Pixels per module of the PNG: about 400 px square for a statement link.
const PNG_SCALE: usize = 8;

/// `/s/{token}`: the page a shared link opens.
pub(super) async fn statement(state: &AppState, headers: &HeaderMap, token: &str) -> Response {
    match view(state, headers, token).await {
        Ok(view) => html(statement_page::phone(&view)),
        Err(err) => problem_of(err),
    }
}

/// `/s/{token}/{file}`: `print`, `qr.svg` or `qr.png`.
pub(super) async fn statement_file(
    state: &AppState,
    headers: &HeaderMap,
    token: &str,
    file: &str,
) -> Response {
    match file {
        "print" => match view(state, headers, token).await {
            Ok(view) => html(statement_page::print(&view)),
            Err(err) => problem_of(err),
        },
        "qr.svg" | "qr.png" => {
            if !plausible_token(token) {
                return problem(Problem::NotFound);
            }
            // Only a link that opens gets a code.
            if let Err(err) = statements::by_token(state.services.db.reader(), token).await {
                return problem_of(err);
            }
            let link = PublicBase::of_request(&state.services.config, headers).statement(token);
            qr(&link, file == "qr.png")
        }
        _ => problem(Problem::NotFound),
    }
}

/// `/r/{token}`: a resolution on notice.
pub(super) async fn resolution(state: &AppState, headers: &HeaderMap, token: &str) -> Response {
    match resolution_view(state, headers, token).await {
        Ok(view) => html(resolution_page::phone(&view)),
        Err(err) => problem_of(err),
    }
}

/// `/r/{token}/{file}`: `print`, `qr.svg` or `qr.png`.
pub(super) async fn resolution_file(
    state: &AppState,
    headers: &HeaderMap,
    token: &str,
    file: &str,
) -> Response {
    let view = match resolution_view(state, headers, token).await {
        Ok(view) => view,
        Err(err) => return problem_of(err),
    };
    match file {
        "print" => html(resolution_page::print(&view)),
        "qr.svg" | "qr.png" => qr(&view.link, file == "qr.png"),
        _ => problem(Problem::NotFound),
    }
}

async fn resolution_view(
    state: &AppState,
    headers: &HeaderMap,
    token: &str,
) -> AppResult<resolution_page::View> {
    if !plausible_token(token) {
        return Err(AppError::NotFound(crate::error::msg!("motion not found")));
    }
    let doc = resolution_document::load(state.services.db.reader(), token).await?;
    let link = PublicBase::of_request(&state.services.config, headers).resolution(token);
    Ok(resolution_page::View::of(&doc, token, link))
}

async fn view(state: &AppState, headers: &HeaderMap, token: &str) -> AppResult<View> {
    if !plausible_token(token) {
        return Err(AppError::NotFound(crate::error::msg!(
            "statement not found"
        )));
    }
    let doc = statement_document::load(state.services.db.reader(), token).await?;
    let link = PublicBase::of_request(&state.services.config, headers).statement(token);
    Ok(View::of(&doc, token, link))
}

/// A QR code of `link`, SVG or PNG.
pub(super) fn qr(link: &str, png: bool) -> Response {
    let drawn = Qr::of(link).and_then(|qr| {
        Ok(if png {
            ("image/png", qr.png(PNG_SCALE)?)
        } else {
            ("image/svg+xml", qr.svg().into_bytes())
        })
    });
    match drawn {
        Ok((content_type, bytes)) => {
            public(([(header::CONTENT_TYPE, content_type)], bytes).into_response())
        }
        Err(err) => problem_of(err),
    }
}

/// The checking script: its URL carries its digest, so it may be cached for a year.
pub(super) async fn verify_js() -> Response {
    let mut response = public(
        (
            [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
            VERIFY_JS,
        )
            .into_response(),
    );
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    response
}

/// A rendered page, or the outage page if it failed.
pub(super) fn html(rendered: AppResult<String>) -> Response {
    match rendered {
        Ok(body) => page_response(StatusCode::OK, body, "public, max-age=60"),
        Err(err) => problem_of(err),
    }
}

/// The page for an error: NOT_FOUND 404, LEDGER_TAMPERED 409, an outage a bland 500.
pub(super) fn problem_of(err: AppError) -> Response {
    match err {
        AppError::LedgerTampered { seq } => problem(Problem::Tampered { seq }),
        AppError::Internal(cause) => {
            tracing::error!(error = %cause, "serving a public notice page failed");
            problem(Problem::Unavailable)
        }
        _ => problem(Problem::NotFound),
    }
}

pub(super) fn problem(problem: Problem) -> Response {
    let status = match problem {
        Problem::NotFound => StatusCode::NOT_FOUND,
        Problem::Tampered { .. } => StatusCode::CONFLICT,
        Problem::Unavailable => StatusCode::INTERNAL_SERVER_ERROR,
    };
    page_response(status, page::problem(problem), "no-cache")
}

fn page_response(status: StatusCode, body: String, cache: &'static str) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::CACHE_CONTROL, cache),
        ],
        body,
    )
        .into_response()
}
