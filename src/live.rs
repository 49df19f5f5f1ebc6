//! Live updates (ARCHITECTURE.md §7): committed writes publish small events on a bus, and
//! GraphQL subscriptions at `/graphql/ws` (graphql-transport-ws, served by `http::ws`)
//! turn them into messages for the callers they concern. On PostgreSQL the bus is `LISTEN`/`NOTIFY`, so every
//! jiedao process sharing the database hears every event; on SQLite it stays in process.

pub mod bus;

pub use bus::{LiveBus, LiveEvent};
