//! Public notice (公示) that residents can open, print and check: a published statement or
//! a resolution on notice, at a short link anyone holding it opens without logging in, as
//! a page, JSON, CSV and a QR code; statements signed by the deployment's key and checked
//! by `verifyLedger`, `jiedao verify-statement` and the page itself.

pub mod check;
pub mod csv;
pub mod page;
pub mod qr;
pub mod resolution_document;
pub mod resolution_page;
pub mod statement_document;
pub mod statement_page;
pub mod verify_statement;
