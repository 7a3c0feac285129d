//! The `stockroom` command: serve the app, or run an operator's task against its database.

use clap::{Parser, Subcommand};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use stockroom::domain::{Email, Password};
use stockroom::server::clock::Clock;
use stockroom::server::config::Config;
use stockroom::server::logging::{self, LogTargets};
use stockroom::server::storage::{maintenance, restore, Db, PoolSettings};
use stockroom::server::{http, operations, startup};

/// mimalloc instead of glibc's malloc: under load glibc's allocator (its per-thread arenas, their
/// consolidation, the locks between them) took a quarter of a list page's CPU in `perf`; with
/// mimalloc the list pages served 25–50% more pages a second at 64 connections (SQLite, 100,000
/// products; BENCHMARKS.md, 2026-12-07). Built without transparent huge pages (`no_thp`): with
/// them the peak under the same load was 124–128 MB instead of 108 MB (glibc's: 92 MB).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Inventory management for small shops.
#[derive(Parser)]
#[command(name = "stockroom", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web app (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Create a manager account. The password is read from STOCKROOM_ADMIN_PASSWORD, or asked for.
    CreateManager {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Shop")]
        first_name: String,
        #[arg(long, default_value = "Manager")]
        last_name: String,
    },
    /// Add data: a dozen demo products to try the app with, or a simulated history for benchmarks.
    Seed {
        /// A dozen everyday products.
        #[arg(long, conflicts_with_all = ["products", "movements"])]
        demo: bool,
        /// Simulate a shop with this many products (needs a database without products or bills).
        #[arg(long, requires = "movements")]
        products: Option<usize>,
        /// ... and two years of purchases and sales making this many stock movements.
        #[arg(long, requires = "products")]
        movements: Option<usize>,
        /// The same seed gives the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// (For `make bench`.) Serve a bare axum handler: the most this machine allows, for ratios.
    #[command(hide = true)]
    Ceiling {
        #[arg(long, default_value = "127.0.0.1:3999")]
        listen: std::net::SocketAddr,
    },
    /// Copy the SQLite database to PATH while the app keeps running (PostgreSQL: use pg_dump or
    /// RDS snapshots).
    Backup {
        /// A new file for the copy; an existing file is never overwritten.
        path: PathBuf,
    },
    /// Put a backup made by `stockroom backup` back as the SQLite database of DATABASE_URL, with
    /// every server stopped (the replaced database is kept beside it). PostgreSQL: pg_restore,
    /// see docs/deploy.md.
    Restore {
        /// The backup file to restore.
        path: PathBuf,
    },
    /// Recount the sales summaries from the ledger in SHOP_TIMEZONE, say how many kept rows
    /// differed (0: they equalled the ledger), and replace them. Writers wait while it runs.
    RebuildSummaries,
    /// Check the environment and the database, and print the effective settings (secrets masked).
    CheckConfig,
    /// Exit 0 when the server on LISTEN_ADDR answers GET /healthz with 200 (the image's
    /// HEALTHCHECK; the runtime image has no curl).
    Healthcheck {
        /// Seconds to wait for the answer.
        #[arg(long, default_value_t = 3)]
        timeout: u64,
    },
}

/// Threads for blocking work: reading `/pkg` files, hashing passwords, drawing PDFs, reading
/// an uploaded file. Four a core keeps the cores busy; tokio's default (512) let 64 downloads of
/// the WASM start 85 threads, each keeping its own allocator heap (+35 MB of peak RSS, measured
/// with `wrk -c64` on the hashed `.wasm`). Past the cap, blocking work waits its turn.
fn blocking_threads() -> usize {
    std::thread::available_parallelism().map_or(4, |n| 4 * n.get())
}

/// Exit status for an invalid environment (any command).
const BAD_CONFIG: u8 = 2;

fn main() -> ExitCode {
    let started = Instant::now();
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(blocking_threads())
        .build()
    {
        Ok(runtime) => runtime.block_on(cli_main(started)),
        Err(error) => {
            eprintln!("stockroom: cannot start the async runtime: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn cli_main(started: Instant) -> ExitCode {
    let cli = Cli::parse();
    let _ = dotenvy::dotenv();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("stockroom: {error}");
            return ExitCode::from(BAD_CONFIG);
        }
    };
    let command = cli.command.unwrap_or(Command::Serve);
    // The probe runs every few seconds: it must not fill the log files.
    let _logs = match command {
        Command::Healthcheck { .. } => None,
        Command::CheckConfig => Some(logging::init(LogTargets {
            format: config.log_format,
            dir: None,
            max_files: 1,
        })),
        _ => Some(logging::init(LogTargets {
            format: config.log_format,
            dir: config.log_dir.as_deref(),
            max_files: config.log_max_files,
        })),
    };
    match run(command, config, started).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error:#}");
            eprintln!("stockroom: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config, started: Instant) -> anyhow::Result<()> {
    match command {
        Command::Serve => {
            let addr = config.listen_addr;
            // While this server runs, `stockroom restore` refuses to replace its SQLite file.
            let _in_use = maintenance::sqlite_file(config.database_url.expose())
                .map(|file| restore::claim(&file))
                .transpose()?;
            let state = startup::prepare(config, leptos_options(addr)?).await?;
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
            let bound = listener.local_addr()?;
            tracing::info!(
                addr = %bound,
                startup_ms = started.elapsed().as_millis(),
                "listening on http://{bound}"
            );
            http::serve(state, listener).await
        }
        Command::Migrate => {
            open(&config).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::CreateManager {
            email,
            first_name,
            last_name,
        } => {
            let email = Email::parse(&email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
            let password = read_password()?;
            let db = open(&config).await?;
            let id = startup::create_manager(
                &db,
                &email,
                &first_name,
                &last_name,
                &password,
                Clock::system().now(),
            )
            .await?;
            println!("created manager {email} (id {id})");
            Ok(())
        }
        Command::Ceiling { listen } => {
            let app = axum::Router::new().route("/", axum::routing::get(|| async { "ok" }));
            let listener = tokio::net::TcpListener::bind(listen).await?;
            axum::serve(listener, app).await?;
            Ok(())
        }
        Command::Seed {
            demo,
            products,
            movements,
            seed,
        } => {
            let db = open(&config).await?;
            if demo {
                let added =
                    stockroom::server::seed::demo_products(&db, Clock::system().now()).await?;
                println!("added {added} demo products");
                return Ok(());
            }
            let (Some(products), Some(movements)) = (products, movements) else {
                anyhow::bail!("say what to seed: --demo, or --products N --movements M");
            };
            let plan = stockroom::server::seed::bulk::Plan {
                products,
                movements,
                seed,
                // Two years until today in the shop's zone; the same seed gives the same data all day.
                now: stockroom::server::seed::bulk::midday_today(
                    &config.zone,
                    Clock::system().now(),
                ),
                tax_rate_bp: config.tax_rate_bp,
                zone: config.zone.clone(),
            };
            let started = std::time::Instant::now();
            let done =
                stockroom::server::seed::bulk::seed(&db, config.database_url.expose(), &plan)
                    .await?;
            println!(
                "seeded {} products, {} bills ({} lines), {} lots, {} movements in {:.1} s",
                done.products,
                done.bills,
                done.bill_lines,
                done.lots,
                done.movements,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Backup { path } => {
            // Opening a missing SQLite file would create it: back up what exists, or nothing.
            if let Some(file) = maintenance::sqlite_file(config.database_url.expose()) {
                anyhow::ensure!(file.is_file(), "there is no database at {}", file.display());
            }
            let db = Db::connect(config.database_url.expose(), &cli_pool(&config)).await?;
            let backup = maintenance::backup_sqlite(&db, &path).await;
            db.close().await;
            let backup = backup?;
            println!(
                "backed up the database to {} ({} bytes, integrity ok)",
                backup.path.display(),
                backup.bytes
            );
            Ok(())
        }
        Command::Restore { path } => {
            let Some(file) = maintenance::sqlite_file(config.database_url.expose()) else {
                return Err(restore::RestoreError::Postgres.into());
            };
            let done = restore::restore_sqlite(&path, &file, Clock::system().now()).await?;
            println!(
                "restored {} from {} ({} bytes, integrity ok): {} products, {} bills; \
                 {} of {} migrations applied{}",
                done.database.display(),
                path.display(),
                done.bytes,
                done.products,
                done.bills,
                done.applied,
                done.known,
                if done.applied < done.known {
                    " (the rest run when the server starts)"
                } else {
                    ""
                }
            );
            if let Some(kept) = done.kept {
                println!("the database it replaced is kept at {}", kept.display());
            }
            Ok(())
        }
        Command::RebuildSummaries => {
            let db = open(&config).await?;
            let started = std::time::Instant::now();
            let done =
                stockroom::server::storage::summaries::rebuild(&db, Clock::system().now()).await?;
            println!(
                "rebuilt the summaries in {} from the ledger in {:.1} s: {} days, {} product-days; \
                 {} product-days, {} product-months, {} days' shop totals and {} products' 28-day \
                 sales had differed",
                db.zone().name(),
                started.elapsed().as_secs_f64(),
                done.days,
                done.rows,
                done.rows_differed,
                done.months_differed,
                done.totals_differed,
                done.rates_differed
            );
            if done.stock_value_off != 0 {
                eprintln!(
                    "the ledger disagrees with itself: the stock's value by its movements is {} minor \
                     units off its value by its lots",
                    done.stock_value_off
                );
            }
            Ok(())
        }
        Command::CheckConfig => {
            println!("Configuration (from the environment; secrets masked):");
            print!("{}", operations::settings_report(&config));
            let database = operations::database_report(&config).await?;
            println!("Database: {database}");
            Ok(())
        }
        Command::Healthcheck { timeout } => {
            operations::healthcheck(config.listen_addr, Duration::from_secs(timeout.max(1))).await
        }
    }
}

/// A small pool for one-off commands, with the configured timeouts.
fn cli_pool(config: &Config) -> PoolSettings {
    PoolSettings {
        max_connections: Some(2),
        ..startup::pool_settings(config)
    }
}

/// Opens and migrates the configured database.
async fn open(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(config.database_url.expose(), &cli_pool(config))
        .await?
        .in_zone(config.zone.clone());
    db.migrate().await?;
    Ok(db)
}

fn read_password() -> anyhow::Result<Password> {
    let text = match std::env::var("STOCKROOM_ADMIN_PASSWORD") {
        Ok(text) => text,
        Err(_) if std::io::stdin().is_terminal() => {
            rpassword::prompt_password("Password for the new manager: ")?
        }
        Err(_) => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    Password::parse(&text).map_err(|e| anyhow::anyhow!("password: {e}"))
}

/// Leptos' settings: cargo-leptos' environment when it runs us, otherwise the release layout
/// (`target/site`, and hashed file names when `hash.txt` sits next to the binary).
fn leptos_options(addr: std::net::SocketAddr) -> anyhow::Result<leptos::config::LeptosOptions> {
    let mut options = leptos::config::get_configuration(None)?.leptos_options;
    if options.output_name.is_empty() {
        options.output_name = "stockroom".into();
    }
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        let exe_dir = std::env::current_exe()?
            .parent()
            .map(std::path::Path::to_path_buf);
        options.hash_files =
            exe_dir.is_some_and(|dir| dir.join(options.hash_file.as_ref()).is_file());
    }
    options.site_addr = addr;
    Ok(options)
}
