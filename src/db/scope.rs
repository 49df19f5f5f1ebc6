//! A caller's scope for PostgreSQL's row-level security (`migration::row_security`), and
//! the reads of one request made in it: one transaction, begun at the first read, whose
//! first statement enters the scope. It ends when the request's handle is dropped (a
//! read-only transaction's ROLLBACK is sent with the connection's release, so the request
//! does not wait for it).

use std::sync::Arc;

use entity::reach::Reach;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, Statement, TransactionTrait,
};
use tokio::sync::{Mutex, OnceCell};
use uuid::Uuid;

/// Whose rows a transaction may touch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The server's own work and platform admins.
    Everything,
    /// A caller's communities, and all communities of their street offices.
    Within {
        street_offices: Vec<Uuid>,
        communities: Vec<Uuid>,
    },
    /// An anonymous request: no tenant row, except what a published statement shows.
    Public,
}

impl Scope {
    /// The scope of a caller who reaches `reach` (their reach to read the org structure:
    /// every place they hold a grant in).
    pub fn of_reach(reach: &Reach) -> Self {
        match reach {
            Reach::Everything => Self::Everything,
            Reach::Nothing => Self::Within {
                street_offices: Vec::new(),
                communities: Vec::new(),
            },
            Reach::Within {
                street_offices,
                communities,
            } => Self::Within {
                street_offices: street_offices.clone(),
                communities: communities.clone(),
            },
        }
    }

    /// This scope and `community` too.
    fn with_community(self, community: Uuid) -> Self {
        match self {
            Self::Everything => Self::Everything,
            Self::Public => Self::Within {
                street_offices: Vec::new(),
                communities: vec![community],
            },
            Self::Within {
                street_offices,
                mut communities,
            } => {
                if !communities.contains(&community) {
                    communities.push(community);
                }
                Self::Within {
                    street_offices,
                    communities,
                }
            }
        }
    }
}

/// The statement that enters a scope; the statement counter leaves it out (it is counted
/// apart, as the scope's one round trip), like BEGIN and COMMIT.
pub(super) const ENTER: &str = "SELECT jiedao_enter($1, $2::text::uuid[], $3::text::uuid[])";

/// Enters `scope` for the rest of the transaction `conn` is in.
pub(super) async fn enter(conn: &impl ConnectionTrait, scope: &Scope) -> Result<(), DbErr> {
    let array = |ids: &[Uuid]| {
        let items: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        format!("{{{}}}", items.join(","))
    };
    let (name, street_offices, communities) = match scope {
        Scope::Everything => ("everything", "{}".to_owned(), "{}".to_owned()),
        Scope::Public => ("public", "{}".to_owned(), "{}".to_owned()),
        Scope::Within {
            street_offices,
            communities,
        } => ("communities", array(street_offices), array(communities)),
    };
    conn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        ENTER,
        [name.into(), street_offices.into(), communities.into()],
    ))
    .await?;
    Ok(())
}

/// Opens a transaction on `pool` in `scope`.
pub(super) async fn begin_in(
    pool: &DatabaseConnection,
    scope: &Scope,
) -> Result<DatabaseTransaction, DbErr> {
    let transaction = pool.begin().await?;
    enter(&transaction, scope).await?;
    Ok(transaction)
}

/// Where reads go: a pool (SQLite, and the server's own work on PostgreSQL), or a
/// request's transaction in its caller's scope. Cheap to clone: a request's clones share
/// one transaction.
#[derive(Clone)]
pub enum Reads {
    Pool(DatabaseConnection),
    Scoped(Arc<ScopedReads>),
    /// Each statement in a short transaction of its own, in the scope: for a long-lived
    /// caller (a WebSocket), whose reads come now and then and must not hold a connection
    /// in between.
    EachInScope(DatabaseConnection, Scope),
}

pub struct ScopedReads {
    pool: DatabaseConnection,
    /// Held while it is entered, so that two widenings cannot overtake each other.
    scope: Mutex<Scope>,
    transaction: OnceCell<DatabaseTransaction>,
}

impl Reads {
    pub(super) fn scoped(pool: DatabaseConnection, scope: Scope) -> Self {
        Self::Scoped(Arc::new(ScopedReads {
            pool,
            scope: Mutex::new(scope),
            transaction: OnceCell::new(),
        }))
    }

    /// The pool reads come from (PostgreSQL's pool, for `LISTEN` or the metrics).
    pub fn pool(&self) -> &DatabaseConnection {
        match self {
            Self::Pool(pool) | Self::EachInScope(pool, _) => pool,
            Self::Scoped(scoped) => &scoped.pool,
        }
    }

    /// Adds `community` to the scope of the request's reads, for the rest of the request:
    /// a share token opens its statement's community to whoever holds it, with or without
    /// a login. Other reads: nothing to do.
    pub async fn open_community(&self, community: Uuid) -> Result<(), DbErr> {
        if let Self::Scoped(scoped) = self {
            let transaction = scoped.transaction().await?;
            let mut scope = scoped.scope.lock().await;
            *scope = scope.clone().with_community(community);
            enter(transaction, &scope).await?;
        }
        Ok(())
    }

    /// Begins the request's transaction now, if it has not begun: a request takes its read
    /// connection before its write connection, always, so two pools cannot deadlock.
    pub(super) async fn open(&self) -> Result<(), DbErr> {
        if let Self::Scoped(scoped) = self {
            scoped.transaction().await?;
        }
        Ok(())
    }
}

impl ScopedReads {
    async fn transaction(&self) -> Result<&DatabaseTransaction, DbErr> {
        self.transaction
            .get_or_try_init(|| async {
                let scope = self.scope.lock().await.clone();
                begin_in(&self.pool, &scope).await
            })
            .await
    }
}

/// Runs `$call` (a method of `$conn`) on the connection reads go to: the pool, the
/// request's transaction, or a short transaction of its own.
macro_rules! on_reads {
    ($reads:expr, $conn:ident => $call:expr) => {
        match $reads {
            Reads::Pool($conn) => $call.await,
            Reads::Scoped(scoped) => {
                let $conn = scoped.transaction().await?;
                $call.await
            }
            Reads::EachInScope(pool, scope) => {
                let transaction = begin_in(pool, scope).await?;
                let $conn = &transaction;
                let result = $call.await?;
                transaction.commit().await?;
                Ok(result)
            }
        }
    };
}

#[async_trait::async_trait]
impl ConnectionTrait for Reads {
    fn get_database_backend(&self) -> DbBackend {
        self.pool().get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        on_reads!(self, conn => conn.execute_raw(stmt))
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        on_reads!(self, conn => conn.execute_unprepared(sql))
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        on_reads!(self, conn => conn.query_one_raw(stmt))
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        on_reads!(self, conn => conn.query_all_raw(stmt))
    }
}
