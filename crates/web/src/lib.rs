//! Integer's HTTP layer: server-rendered pages (Dutch first, English
//! second), the JSON API under `/api/v1`, sessions, CSRF protection and
//! security headers. Handlers own their transactions; access is decided by
//! `integer_domain::authz`, never here.
//!
//! - `ctx`: what every request knows (language, the signed-in person).
//! - `error`: errors and the friendly error pages.
//! - `security`: headers, CSRF, password hashing, sign-in throttling.
//! - `pages`: one module per group of pages.
//! - `api`: `/api/v1`.

pub mod api;
pub mod ctx;
pub mod error;
pub mod forms;
pub mod logging;
pub mod metrics;
pub mod pages;
pub mod preset;
pub mod security;
pub mod view;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use integer_store::Store;
use std::sync::Arc;

/// Settings of the web layer (from the `[server]`, `[session]` and
/// `[security]` sections of the configuration).
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set when served behind TLS).
    pub secure_cookies: bool,
    /// Demo mode: demo accounts (password `demo`) may sign in.
    pub demo_mode: bool,
    pub idle_timeout_secs: i64,
    pub absolute_timeout_secs: i64,
    pub max_body_bytes: usize,
    pub max_import_bytes: usize,
    pub login_max_failures_per_account: i64,
    pub login_max_failures_per_ip: i64,
    pub login_window_secs: i64,
    /// The proxies (addresses or networks) whose `X-Forwarded-For` and
    /// `X-Request-Id` are believed; empty: none. See
    /// [`security::client_address`].
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The installation key that wraps every case key (see
    /// docs/SECURITY.md). `None` only in tests: a random key per process.
    pub installation_key: Option<integer_domain::crypto::InstallationKey>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            demo_mode: false,
            idle_timeout_secs: 30 * 60,
            absolute_timeout_secs: 12 * 3600,
            max_body_bytes: 1024 * 1024,
            max_import_bytes: 20 * 1024 * 1024,
            login_max_failures_per_account: 5,
            login_max_failures_per_ip: 50,
            login_window_secs: 15 * 60,
            trusted_proxies: Vec::new(),
            installation_key: None,
        }
    }
}

/// Shared by all handlers. Holds no state of its own beyond configuration:
/// sessions, throttling and everything else live in the database, so that
/// several instances can serve behind a load balancer.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    /// Hashes sign-in throttling keys; read from the database at start.
    pub pepper: Arc<String>,
    /// Verified against for unknown users, so that sign-in takes as long
    /// whether or not the account exists.
    pub dummy_hash: Arc<String>,
    /// Wraps the case keys of the reporting point; never in the database.
    pub key: Arc<integer_domain::crypto::InstallationKey>,
}

impl AppState {
    pub async fn new(store: Store, config: WebConfig) -> anyhow::Result<AppState> {
        let mut conn = store.conn().await?;
        let pepper = integer_store::migrate::pepper(&mut conn).await?;
        let dummy_hash =
            tokio::task::spawn_blocking(|| security::hash_password(&integer_store::random_token()))
                .await??;
        let key = config
            .installation_key
            .clone()
            .unwrap_or_else(integer_domain::crypto::InstallationKey::generate);
        Ok(AppState {
            key: Arc::new(key),
            store,
            config: Arc::new(config),
            pepper: Arc::new(pepper),
            dummy_hash: Arc::new(dummy_hash),
        })
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let max_body = state.config.max_body_bytes;
    let max_import = state.config.max_import_bytes;
    let import_routes = Router::new()
        .route(
            "/organisatie/import",
            get(pages::import::form).post(pages::import::upload),
        )
        .route(
            "/organisatie/import/{id}/toepassen",
            post(pages::import::apply),
        )
        .layer(DefaultBodyLimit::max(max_import));
    // Reports and messages may carry files: a larger limit on these routes.
    let upload_limit = integer_domain::case::MAX_ATTACHMENT_BYTES
        * integer_domain::case::MAX_ATTACHMENTS
        + 1024 * 1024;
    let meldpunt_routes = Router::new()
        .route(
            "/o/{org}/melden",
            get(pages::meldpunt::public_form).post(pages::meldpunt::public_submit),
        )
        .route(
            "/o/{org}/melden/postbus",
            get(pages::meldpunt::mailbox_login_form).post(pages::meldpunt::mailbox_login),
        )
        .route(
            "/o/{org}/melden/postbus/zaak",
            get(pages::meldpunt::mailbox_show),
        )
        .route(
            "/o/{org}/melden/postbus/bericht",
            post(pages::meldpunt::mailbox_reply),
        )
        .route(
            "/o/{org}/melden/postbus/verslag",
            post(pages::meldpunt::mailbox_confirm),
        )
        .route(
            "/o/{org}/melden/postbus/uit",
            post(pages::meldpunt::mailbox_logout),
        )
        .route(
            "/o/{org}/melden/postbus/toestemming",
            post(pages::meldpunt::mailbox_consent),
        )
        .route(
            "/o/{org}/melden/postbus/correctie",
            post(pages::meldpunt::mailbox_correction),
        )
        .route(
            "/melden",
            get(pages::meldpunt::employee_form).post(pages::meldpunt::employee_submit),
        )
        .route("/melden/{id}", get(pages::meldpunt::own_show))
        .route("/melden/{id}/bericht", post(pages::meldpunt::own_reply))
        .route("/melden/{id}/verslag", post(pages::meldpunt::own_confirm))
        .route(
            "/melden/{id}/toestemming",
            post(pages::meldpunt::own_consent),
        )
        .route(
            "/melden/{id}/correctie",
            post(pages::meldpunt::own_correction),
        )
        .route("/zaken", get(pages::cases::list))
        .route(
            "/zaken/nieuw",
            get(pages::cases::new_form).post(pages::cases::new_submit),
        )
        .route("/zaken/behandelaars", post(pages::cases::set_handlers))
        .route("/zaken/{id}", get(pages::cases::show))
        .route("/zaken/{id}/{action}", post(pages::cases::act))
        .route("/zaken/{id}/bijlage/{file}", get(pages::cases::download))
        .route("/zaken/{id}/melder", get(pages::case_identity::show))
        .route(
            "/organisatie/meldpunt-informatie",
            get(pages::meldpunt_info::form).post(pages::meldpunt_info::save),
        )
        .route(
            "/zaken/{id}/noodtoegang",
            get(pages::cases::emergency_form).post(pages::cases::emergency),
        )
        .layer(DefaultBodyLimit::max(upload_limit));
    Router::new()
        .route("/", get(pages::home::home))
        .route(
            "/inloggen",
            get(pages::auth::login_form).post(pages::auth::login),
        )
        .route("/uitloggen", post(pages::auth::logout))
        .route(
            "/inloggen/tweede-stap",
            get(pages::second_factor::code_form).post(pages::second_factor::code_submit),
        )
        .route(
            "/inloggen/tweede-stap/instellen",
            get(pages::second_factor::enrol_form).post(pages::second_factor::enrol_submit),
        )
        .route(
            "/inloggen/tweede-stap/annuleren",
            post(pages::second_factor::cancel),
        )
        .route(
            "/organisatie/mensen/{id}/tweede-stap",
            get(pages::second_factor::person_status),
        )
        .route(
            "/organisatie/mensen/{id}/tweede-stap/herstellen",
            post(pages::second_factor::reset),
        )
        .route("/taal/{lang}", get(pages::auth::switch_language))
        .route(
            "/organisatie/eenheden",
            get(pages::units::tree).post(pages::units::create),
        )
        .route("/organisatie/mensen", get(pages::people::list))
        .route("/organisatie/mensen/{id}", get(pages::people::show))
        .route(
            "/organisatie/mensen/{id}/rollen",
            post(pages::people::set_roles),
        )
        .route("/organisatie/audit", get(pages::audit::list))
        .route(
            "/organisatie/gedragsregels",
            get(pages::preset_edit::form).post(pages::preset_edit::save),
        )
        .route(
            "/verklaringen",
            get(pages::declarations::mine).post(pages::declarations::file),
        )
        .route("/verklaringen/{id}", get(pages::declarations::show))
        .route(
            "/verklaringen/{id}/besluit",
            post(pages::declarations::decide_on),
        )
        .route(
            "/verklaringen/{id}/intrekken",
            post(pages::declarations::withdraw),
        )
        .route(
            "/verklaringen/{id}/aanvullen",
            post(pages::declarations::respond),
        )
        .route("/beoordelen", get(pages::declarations::inbox))
        .route(
            "/beoordelen/vervanging",
            post(pages::declarations::add_deputy),
        )
        .route(
            "/beoordelen/vervanging/{id}/beeindigen",
            post(pages::declarations::end_deputy),
        )
        .route("/registers", get(pages::declarations::register))
        .route("/registers/{format}", get(pages::declarations::export))
        .route(
            "/verklaringen/{id}/wijzigen",
            post(pages::declarations::amend),
        )
        .route(
            "/verklaringen/{id}/publiceren",
            post(pages::publication::confirm),
        )
        .route(
            "/verklaringen/{id}/publicatietekst",
            post(pages::publication::correct),
        )
        .route(
            "/verklaringen/{id}/beeindigen",
            post(pages::publication::end),
        )
        .route(
            "/organisatie/aangewezen-functies",
            get(pages::designation::form).post(pages::designation::save),
        )
        .route("/o/{org}/{file}", get(pages::public_register::show))
        .route("/jaarverslag", get(pages::annual_report::show))
        .route("/jaarverslag/tekst", post(pages::annual_report::save))
        .route(
            "/jaarverslag/publiceren",
            post(pages::annual_report::publish),
        )
        .route("/jaarverslag/{format}", get(pages::annual_report::export))
        .route(
            "/o/{org}/jaarverslag/{file}",
            get(pages::annual_report::public),
        )
        .route("/toegankelijkheid", get(pages::statements::accessibility))
        .route(
            "/organisatie/toegankelijkheid",
            get(pages::statements::accessibility_form).post(pages::statements::accessibility_save),
        )
        .route(
            "/organisatie/privacy",
            get(pages::statements::privacy_form).post(pages::statements::privacy_save),
        )
        .route("/o/{org}/privacy", get(pages::statements::privacy_public))
        .merge(meldpunt_routes)
        .route(
            "/organisatie/instellingen",
            post(pages::preset_edit::save_settings),
        )
        .route(
            "/actualisatie",
            get(pages::yearly_check::mine).post(pages::yearly_check::answer),
        )
        .route("/actualisatie/beheer", get(pages::yearly_check::admin))
        .route(
            "/actualisatie/beheer/start",
            post(pages::yearly_check::start),
        )
        .route(
            "/actualisatie/beheer/herinneren",
            post(pages::yearly_check::remind),
        )
        .route("/berichten", get(pages::messages::list))
        .route("/berichten/gelezen", post(pages::messages::read_all))
        .route(
            "/vertrouwenspersoon",
            get(pages::counsellor_log::show).post(pages::counsellor_log::add),
        )
        .route(
            "/vertrouwenspersoon/cijfers",
            get(pages::counsellor_log::counts),
        )
        .route(
            "/vertrouwenspersoon/cijfers.csv",
            get(pages::counsellor_log::counts_csv),
        )
        .route(
            "/vertrouwenspersoon/{id}",
            get(pages::counsellor_log::edit).post(pages::counsellor_log::correct),
        )
        .route(
            "/vertrouwenspersoon/{id}/verwijderen",
            post(pages::counsellor_log::delete),
        )
        .route("/organisatie/eed", get(pages::prevention::list))
        .route("/organisatie/eed/tekst", get(pages::prevention::texts))
        .route(
            "/organisatie/eed/{id}",
            get(pages::prevention::person).post(pages::prevention::record),
        )
        .route(
            "/organisatie/screening",
            get(pages::prevention::screening_list),
        )
        .route(
            "/organisatie/screening/{id}",
            get(pages::prevention::screening_person).post(pages::prevention::screening_save),
        )
        .route(
            "/organisatie/gedragscode-gelezen",
            get(pages::prevention::code).post(pages::prevention::acknowledge),
        )
        .route(
            "/organisatie/preventie-instellingen",
            get(pages::prevention::settings).post(pages::prevention::save_settings),
        )
        .route("/mijn-integriteit", get(pages::learning::mine))
        .route(
            "/organisatie/trainingen",
            get(pages::learning::trainings).post(pages::learning::add_training),
        )
        .route(
            "/organisatie/trainingen/hr-gesprek",
            post(pages::learning::add_hr),
        )
        .route(
            "/organisatie/trainingen/persoon/{id}",
            get(pages::learning::person),
        )
        .route(
            "/organisatie/trainingen/{id}/afgerond",
            post(pages::learning::mark_completed),
        )
        .route(
            "/organisatie/moreel-beraad",
            get(pages::learning::deliberations).post(pages::learning::add_session),
        )
        .route(
            "/organisatie/moreel-beraad/werkoverleg",
            post(pages::learning::add_meeting),
        )
        .route(
            "/organisatie/moreel-beraad/{id}/verwijderen",
            post(pages::learning::delete_session),
        )
        .route("/team/integriteit", get(pages::learning::team))
        .route(
            "/organisatie/kwetsbare-functies",
            get(pages::vulnerable::list).post(pages::vulnerable::add),
        )
        .route(
            "/organisatie/kwetsbare-functies/{id}",
            get(pages::vulnerable::show).post(pages::vulnerable::update),
        )
        .route(
            "/organisatie/kwetsbare-functies/{id}/herzien",
            post(pages::vulnerable::review),
        )
        .route("/mag-dit", get(pages::policy::start))
        .route("/mag-dit/vragen", get(pages::policy::ask))
        .route("/gedragscode", get(pages::policy::code_index))
        .route("/gedragscode/{document}", get(pages::policy::code_document))
        .route("/healthz", get(pages::ops::healthz))
        .route("/readyz", get(pages::ops::readyz))
        .route("/static/{*path}", get(pages::ops::static_file))
        .nest("/api/v1", api::router())
        .layer(DefaultBodyLimit::max(max_body))
        .merge(import_routes)
        .fallback(error::not_found)
        // A panic becomes the friendly 500 page, never a dropped connection.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            error::panic_response,
        ))
        .layer(axum::middleware::from_fn(error::error_pages))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::headers,
        ))
        // Layers wrap what was added before them, route layers included.
        .route_layer(axum::middleware::from_fn(logging::access_log))
        // Outermost: every log line of the request (the access log too), the
        // error page and the response carry its request id.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            logging::request_id,
        ))
        .with_state(state)
}
