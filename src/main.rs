//! The `jiedao` command: parse the command line, load the configuration, and hand over to
//! the library.

use std::{io::Read, net::SocketAddr, process::ExitCode};

use clap::{Parser, Subcommand};
use jiedao::{
    bootstrap, build_router, build_schema_bare, build_state, config::Config, db::Db, telemetry,
};
use tokio::signal;

/// mimalloc rather than glibc's malloc: a GraphQL request allocates by the thousand, and
/// malloc was 13 % of the server's CPU in a profile of point reads. Measured with
/// `cargo bench --bench load`: CPU per point read 0.39 → 0.34 ms, reads during a login flood
/// keep 68 % of their rate instead of 48 %; the price is ~12 MB more at idle.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "jiedao",
    version,
    about = "GraphQL API server for street offices and communities"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the server (applies pending migrations first unless --no-migrate).
    Serve {
        #[arg(long)]
        no_migrate: bool,
        /// Load the demo data first (once; later starts leave it as it is).
        #[arg(long, conflicts_with = "no_migrate")]
        seed_demo: bool,
    },
    /// Apply pending migrations and exit.
    Migrate,
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Load a demo street office with two communities and demo accounts.
    SeedDemo,
    /// Delete uploads attached to nothing and stored objects without a record, older than
    /// the grace period (uploads in flight are younger).
    CollectFiles {
        #[arg(long, default_value_t = 24)]
        grace_hours: i64,
    },
    /// Check a published statement: recompute its hashes, check its signatures, and check
    /// that each later notice continues the earlier ones. Exit status 0 when it holds, 1
    /// when it does not, 2 when it could not be checked.
    VerifyStatement {
        /// Share links (https://…/s/TOKEN), their .json, or saved .json files.
        #[arg(required = true)]
        sources: Vec<String>,
        /// A public key to check signatures with (64 hex digits); repeatable. Without
        /// it, the keys the first link's deployment publishes.
        #[arg(long = "key")]
        keys: Vec<String>,
        /// A keys document (URL or file) like /.well-known/jiedao-signing-keys.json.
        #[arg(long)]
        keys_from: Option<String>,
    },
    /// Receive webhooks and print them, checking Standard Webhooks signatures: for trying
    /// subscriptions out (the demo's point at 127.0.0.1:9009).
    ReceiveWebhooks {
        #[arg(long, default_value = "127.0.0.1:9009")]
        listen: SocketAddr,
        /// A subscription's signing secret (whsec_...); repeatable.
        #[arg(long = "secret", env = "JIEDAO_WEBHOOK_SECRET")]
        secrets: Vec<String>,
    },
    /// Start signing statements with a new key. The old keys stay as public entries, so
    /// what they signed still verifies. Rewrites the key file beside the SQLite database;
    /// with JIEDAO_SIGNING_KEY set, prints its next value instead.
    RotateSigningKey,
    /// Back the embedded SQLite database up, with its key files and file store, into a new
    /// directory, while the server runs. On PostgreSQL use pg_dump (see the README).
    Backup {
        /// A new or empty directory.
        dir: std::path::PathBuf,
        /// Write the key files here instead of DIR/keys, to keep them apart from the data.
        #[arg(long)]
        keys_to: Option<std::path::PathBuf>,
    },
    /// Restore a backup where the configuration keeps the embedded database; refuses to
    /// overwrite anything. Start the server afterwards (it applies newer migrations).
    Restore {
        dir: std::path::PathBuf,
        /// Where the key files were kept, when the backup wrote them apart.
        #[arg(long)]
        keys_from: Option<std::path::PathBuf>,
    },
    /// Create a platform admin; the password is read from standard input.
    CreateAdmin {
        #[arg(long)]
        username: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

/// Stack for the runtime's worker threads: the schema's merged resolvers nest deeply, and a
/// debug build keeps their futures on the stack (tokio's default is 2 MiB).
const WORKER_STACK_BYTES: usize = 8 * 1024 * 1024;

fn main() -> ExitCode {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(WORKER_STACK_BYTES)
        .build()
    {
        Ok(runtime) => runtime.block_on(start()),
        Err(err) => {
            eprintln!("cannot start the async runtime: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn start() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Schema = cli.command {
        print!("{}", build_schema_bare().sdl());
        return ExitCode::SUCCESS;
    }
    // Needs no configuration: a resident's helper runs it anywhere.
    if let Command::VerifyStatement {
        sources,
        keys,
        keys_from,
    } = cli.command
    {
        return verify_statement(sources, keys, keys_from).await;
    }
    if let Command::ReceiveWebhooks { listen, secrets } = cli.command {
        return match jiedao::notifications::receiver::run(listen, secrets).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("jiedao receive-webhooks: {err}");
                ExitCode::FAILURE
            }
        };
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("jiedao: {err}");
            return ExitCode::FAILURE;
        }
    };
    telemetry::init(config.log_json);
    match run(cli.command, config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err}");
            eprintln!("jiedao: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn verify_statement(
    sources: Vec<String>,
    keys: Vec<String>,
    keys_from: Option<String>,
) -> ExitCode {
    use jiedao::notice::verify_statement::{Options, Verdict, run};
    match run(Options {
        sources,
        keys,
        keys_from,
    })
    .await
    {
        Ok(Verdict::Good(line)) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Ok(Verdict::Bad(line)) => {
            println!("{line}");
            ExitCode::from(1)
        }
        Err(err) => {
            eprintln!("jiedao verify-statement: {err}");
            ExitCode::from(2)
        }
    }
}

async fn run(command: Command, config: Config) -> Result<(), Box<dyn std::error::Error>> {
    match command {
        Command::Schema | Command::VerifyStatement { .. } | Command::ReceiveWebhooks { .. } => {
            Ok(())
        }
        Command::RotateSigningKey => rotate_signing_key(&config),
        Command::Migrate => {
            let db = Db::connect(&config).await?;
            db.migrate().await?;
            println!("migrations applied");
            Ok(db.close().await?)
        }
        Command::SeedDemo => {
            // The full state: residents' data is encrypted with the deployment's data key.
            let state = build_state(config).await?;
            state.services.db.migrate().await?;
            seed_demo(&state.services).await?;
            Ok(state.services.db.clone().close().await?)
        }
        Command::CollectFiles { grace_hours } => {
            if grace_hours < 1 {
                return Err(
                    "--grace-hours must be at least 1: younger uploads may be in flight".into(),
                );
            }
            let state = build_state(config).await?;
            let services = &state.services;
            let before = chrono::Utc::now() - chrono::Duration::hours(grace_hours);
            let collected = jiedao::files::collect::collect(&services.db, &services.files, before)
                .await
                .map_err(|e| e.describe())?;
            println!(
                "deleted {} unattached uploads and {} unreferenced objects ({} bytes)",
                collected.records, collected.objects, collected.bytes
            );
            Ok(services.db.clone().close().await?)
        }
        Command::Backup { dir, keys_to } => {
            let path = config
                .sqlite_path()
                .ok_or(jiedao::backup::BackupError::NotSqlite)?;
            if !path.exists() {
                return Err(format!("no database at {}", path.display()).into());
            }
            let db = Db::connect(&config).await?;
            let manifest = jiedao::backup::backup(&config, &db, &dir, keys_to.as_deref()).await?;
            println!(
                "backed up the database ({} bytes), {} key files and {} stored files into {}",
                manifest.database.bytes,
                manifest.keys.len(),
                manifest.files.len(),
                dir.display()
            );
            Ok(db.close().await?)
        }
        Command::Restore { dir, keys_from } => {
            let manifest = jiedao::backup::restore(&config, &dir, keys_from.as_deref())?;
            println!(
                "restored the backup taken at {} ({} key files, {} stored files); start the server",
                manifest.created_at,
                manifest.keys.len(),
                manifest.files.len()
            );
            Ok(())
        }
        Command::CreateAdmin { username, .. } => {
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']);
            let db = Db::connect(&config).await?;
            db.migrate().await?;
            let id = bootstrap::create_platform_admin(&db, &username, password)
                .await
                .map_err(|e| e.describe())?;
            println!("{id}");
            Ok(db.close().await?)
        }
        Command::Serve {
            no_migrate,
            seed_demo,
        } => serve(config, no_migrate, seed_demo).await,
    }
}

fn rotate_signing_key(config: &Config) -> Result<(), Box<dyn std::error::Error>> {
    use secrecy::ExposeSecret;
    if let Some(text) = &config.signing_key {
        let next = jiedao::signing::rotated(text.expose_secret())?;
        eprintln!("Set JIEDAO_SIGNING_KEY to this value in every process and restart them:");
        println!("{next}");
        return Ok(());
    }
    let Some(db_path) = config.sqlite_path() else {
        return Err("set JIEDAO_SIGNING_KEY first (it holds the keys to rotate)".into());
    };
    let path = db_path.with_extension(jiedao::config::SIGNING_KEY_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let next = jiedao::signing::rotated(&text)?;
    jiedao::signing::replace_key_file(&path, &format!("{next}\n"))?;
    let keys = jiedao::signing::SigningKeys::parse(&next)?;
    println!(
        "{}: statements are now signed by key {}; restart the server. The older keys stay listed, so what they signed still verifies.",
        path.display(),
        jiedao::signing::grouped(keys.signer_id())
    );
    Ok(())
}

async fn seed_demo(services: &jiedao::state::Services) -> Result<(), Box<dyn std::error::Error>> {
    let demo = bootstrap::seed_demo(services)
        .await
        .map_err(|e| e.describe())?;
    println!(
        "Loaded {} with two communities; 幸福里社区 has {} compounds, {} buildings, {} dwellings, {} grids, {} households and {} residents. Demo logins:",
        bootstrap::DEMO_STREET_OFFICE,
        demo.compounds,
        demo.buildings,
        demo.dwellings,
        demo.grids,
        demo.households,
        demo.residents
    );
    for login in demo.logins {
        println!(
            "  {:<22} {:<22} {}",
            login.username, login.password, login.role
        );
    }
    let base =
        jiedao::config::public_base::PublicBase::of_request(&services.config, &Default::default());
    println!(
        "Public notices (公示) anyone opens without logging in:\n  the demo fund's statement  {}\n  print it for the board     {}/print\n  the resolution on notice   {}\n  in GraphQL: {{ publicStatement(shareToken: \"{}\") {{ fundName closingBalance entries {{ seq kind amount counterparty hash }} }} }}",
        base.statement(&demo.statement_token),
        base.statement(&demo.statement_token),
        base.resolution(&demo.resolution_token),
        demo.statement_token
    );
    println!(
        "Webhooks (通知推送): 幸福里社区's events go to {receiver} as Standard Webhooks JSON and as WeCom robot messages. To watch them arrive, run\n  jiedao receive-webhooks --secret {secret}\nand serve with JIEDAO_WEBHOOK_ALLOW_HTTP=true JIEDAO_WEBHOOK_ALLOW_PRIVATE=true (a receiver on this machine is a private, plain-http address, refused by default).",
        receiver = bootstrap::demo_webhooks::DEMO_RECEIVER,
        secret = bootstrap::demo_webhooks::DEMO_WEBHOOK_SECRET,
    );
    println!(
        "These passwords and the webhook secret are public: never load demo data into a real deployment."
    );
    Ok(())
}

async fn serve(
    config: Config,
    no_migrate: bool,
    demo: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    // Bind before anything else: a second server started by mistake on the same port
    // stops here, before it migrates or seeds the database the first one is serving.
    let listen = config.listen;
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| {
        format!("cannot listen on {listen}: {e}; set JIEDAO_LISTEN to a free address (host:port)")
    })?;
    let state = build_state(config).await?;
    if !no_migrate {
        state.services.db.migrate().await?;
    }
    // With migrations still pending (`--no-migrate` before `jiedao migrate`), the columns
    // may not exist yet: a later start signs them.
    if state.services.db.pending_migrations().await? == 0 {
        let signed =
            jiedao::funds::statements::sign_backlog(&state.services.db, &state.services.signing)
                .await
                .map_err(|e| e.describe())?;
        if signed > 0 {
            tracing::info!(
                signed,
                key = state.services.signing.signer_id(),
                "signed the statements published before signing existed"
            );
        }
    }
    if demo
        && !bootstrap::demo_loaded(&state.services.db)
            .await
            .map_err(|e| e.describe())?
    {
        seed_demo(&state.services).await?;
    }
    if state.services.config.graphiql && !jiedao::http::graphiql::BUILT_IN {
        tracing::warn!(
            "GraphiQL is not built into this binary (built without npm, or with --no-default-features): /graphql in a browser says how to get it"
        );
    }
    // Webhooks and time-based events: after migrations, so their tables exist.
    jiedao::notifications::dispatcher::start(&state.services)
        .map_err(|e| format!("the webhook client: {e}"))?;
    let db = state.services.db.clone();
    let app = build_router(state);
    tracing::info!(%listen, "jiedao listening; GraphQL at /graphql");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    db.close().await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match signal::unix::signal(signal::unix::SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
