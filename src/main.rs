//! The `stockroom` command: serve the app, or run an operator's task against its database.

use clap::{Parser, Subcommand};
use std::io::IsTerminal;
use stockroom::domain::{Email, Password};
use stockroom::server::config::{Config, LogFormat};
use stockroom::server::startup;
use stockroom::server::storage::{Db, PoolSettings};

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
    /// Add demo data (products) to try the app with.
    Seed {
        /// A dozen everyday products.
        #[arg(long)]
        demo: bool,
    },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let _ = dotenvy::dotenv();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("stockroom: {error}");
            return std::process::ExitCode::from(2);
        }
    };
    init_tracing(config.log_format);
    match run(Cli::parse(), config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error:#}");
            eprintln!("stockroom: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli, config: Config) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let addr = config.listen_addr;
            let state = startup::prepare(config, leptos_options(addr)?).await?;
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
            tracing::info!("listening on http://{addr}");
            startup::serve(state, listener).await
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
            let id =
                startup::create_manager(&db, &email, &first_name, &last_name, &password).await?;
            println!("created manager {email} (id {id})");
            Ok(())
        }
        Command::Seed { demo } => {
            anyhow::ensure!(demo, "say what to seed: --demo");
            let db = open(&config).await?;
            let added = stockroom::server::seed::demo_products(&db).await?;
            println!("added {added} demo products");
            Ok(())
        }
    }
}

/// Opens and migrates the configured database.
async fn open(config: &Config) -> anyhow::Result<Db> {
    let settings = PoolSettings {
        max_connections: 2,
        ..PoolSettings::default()
    };
    let db = Db::connect(&config.database_url, &settings).await?;
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

fn init_tracing(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Pretty => builder.init(),
    }
}
