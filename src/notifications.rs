//! Notifications: events leave jiedao as webhooks (Standard Webhooks JSON, or WeCom group
//! robot messages in Chinese), delivered at least once from the outbox (`outbox`), retried
//! with backoff for a day, every attempt kept. Time-based events (overdue, unread, closing
//! soon) come from a scheduler that raises each occasion once per deployment.

pub mod address;
pub mod delivery;
pub mod dispatcher;
pub mod fan_out;
pub mod formats;
pub mod graphql;
pub mod mutation;
pub mod receiver;
pub mod scheduler;
pub mod subscriptions;
pub mod wecom_text;
