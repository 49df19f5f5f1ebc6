//! The file store (ARCHITECTURE.md §7): expense receipts and request photos. Bytes go to an object
//! store under their SHA-256 (a local directory by default); the database keeps who
//! uploaded what where. Types are sniffed from the bytes, sizes bounded, and every
//! download is authorised through what the file is attached to.

pub mod collect;
pub mod content;
pub mod service;
pub mod store;

pub use store::FileStore;
