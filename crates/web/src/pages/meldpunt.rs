//! The reporting point for reporters: the public form per organisation
//! (no account, no IP address kept, no tracking cookie, no JavaScript), the
//! form for signed-in staff, the receipt, and the reporter's mailbox with
//! the questions put to them: consent to disclose their identity (Wbk art.
//! 1a) and corrections to the minutes of an oral report. Every form and
//! the mailbox tell the reporter what the organisation tells them
//! (`meldpunt_info`).

use super::meldpunt_info::{self, InfoSection};
use super::statements::{self, PrivacyNotice};
use super::{render, render_status};
use crate::AppState;
use crate::ctx::{Ctx, CurrentUser, SignedIn, cookie, lang_from_headers, set_cookie};
use crate::error::AppError;
use crate::forms::{FieldErrors, Form};
use crate::view::Layout;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use integer_domain::Problem;
use integer_domain::audit::Credential;
use integer_domain::authz::{Action, Resource, Target, decide};
use integer_domain::case::{
    self as case, CaseKind, Category, Channel, CorrectionState, IdentityMode, State as CaseState,
    TeamRole,
};
use integer_domain::disclosure::{self, Basis, DisclosureState};
use integer_domain::i18n::Lang;
use integer_domain::org::{OrgId, PersonId, Role};
use integer_store::cases::{self, EntryKind, Identity, NewCase, NewFile};
use integer_store::{audit, orgs, people};

/// The mailbox session cookie (only on the mailbox's own path).
const MAILBOX_COOKIE: &str = "integer_postbus";
const MAILBOX_TTL_SECS: i64 = 30 * 60;
/// Wrong receipt codes allowed per window before the mailbox sign-in waits.
const RECEIPT_MAX_FAILURES: i64 = 10;
const RECEIPT_WINDOW_SECS: i64 = 15 * 60;

/// A form with files (multipart): its text fields and its files.
pub struct Upload {
    pub fields: Form,
    pub files: Vec<(String, Vec<u8>)>,
}

/// Reads a multipart form; a file over the limit or too many files is a
/// field error, not a crash.
pub async fn read_upload(mut multipart: Multipart) -> Result<Upload, AppError> {
    let mut fields = Vec::new();
    let mut files = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(AppError::PayloadTooLarge);
            }
            Err(_) => return Err(AppError::BadRequest),
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let data = field.bytes().await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge
            } else {
                AppError::BadRequest
            }
        })?;
        match file_name {
            Some(f) if name == "bijlage" => {
                if !(f.is_empty() && data.is_empty()) {
                    files.push((f, data.to_vec()));
                }
            }
            _ => fields.push((name, String::from_utf8_lossy(&data).into_owned())),
        }
    }
    Ok(Upload {
        fields: Form(fields),
        files,
    })
}

/// Checks uploaded files; adds field errors for the ones refused.
pub fn check_files(
    lang: Lang,
    errors: &mut FieldErrors,
    files: &[(String, Vec<u8>)],
) -> Vec<NewFile> {
    if files.len() > case::MAX_ATTACHMENTS {
        errors.add(
            lang,
            "bijlage",
            &Problem::new("case-error-file-count").with("max", case::MAX_ATTACHMENTS.to_string()),
        );
        return Vec::new();
    }
    let mut out = Vec::new();
    for (name, bytes) in files {
        let name = case::clean_file_name(name);
        match case::check_attachment(&name, bytes) {
            Ok(mime) => out.push(NewFile {
                name,
                mime: mime.to_string(),
                content: bytes.clone(),
            }),
            Err(p) => errors.add(lang, "bijlage", &p),
        }
    }
    out
}

/// The receipt code as stored: Argon2id with a fixed per-installation salt,
/// so that it can be found again and is never stored itself.
pub async fn receipt_hash(pepper: &str, canonical_code: String) -> Result<String, AppError> {
    let salt = integer_store::sha256_hex(&format!("receipt-salt\u{1f}{pepper}"));
    tokio::task::spawn_blocking(move || {
        let mut out = [0u8; 32];
        argon2::Argon2::default()
            .hash_password_into(canonical_code.as_bytes(), &salt.as_bytes()[..16], &mut out)
            .map(|_| hex::encode(out))
            .map_err(|e| AppError::Internal(anyhow::anyhow!("argon2: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("blocking pool: {e}")))?
}

/// The values of the report form, for showing it again.
#[derive(Default, Clone)]
pub struct ReportValues {
    pub kind: String,
    pub identity: String,
    pub category: String,
    pub title: String,
    pub body: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub about_office: bool,
    pub channel: String,
    pub received_on: String,
}

impl ReportValues {
    fn from_form(f: &Form) -> ReportValues {
        ReportValues {
            kind: f.get("soort").to_string(),
            identity: f.get("identiteit").to_string(),
            category: f.get("categorie").to_string(),
            title: f.get("onderwerp").trim().to_string(),
            body: f.get("melding").trim().to_string(),
            name: f.get("naam").trim().to_string(),
            email: f.get("email").trim().to_string(),
            phone: f.get("telefoon").trim().to_string(),
            about_office: f.get("over_bureau") == "ja",
            channel: f.get("kanaal").to_string(),
            received_on: f.get("ontvangen_op").trim().to_string(),
        }
    }
}

pub struct Choice {
    pub code: &'static str,
    pub label_key: String,
    pub selected: bool,
}

fn choices<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    prefix: &str,
    selected: &str,
) -> Vec<Choice> {
    all.iter()
        .map(|v| {
            let c = code(*v);
            Choice {
                code: c,
                label_key: format!("{prefix}{c}"),
                selected: c == selected,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "meldpunt_form.html")]
pub struct ReportFormPage {
    pub l: Layout,
    pub action: String,
    pub organisation: String,
    /// Public form (no account) or staff entry.
    pub public: bool,
    pub staff_entry: bool,
    pub v: ReportValues,
    pub kinds: Vec<Choice>,
    pub identities: Vec<Choice>,
    pub categories: Vec<Choice>,
    pub channels: Vec<Choice>,
    pub errors: FieldErrors,
    pub mailbox_href: String,
    pub mine: Vec<MineRow>,
    /// The organisation's privacy statement (reporters only; `None` for
    /// staff entering a report).
    pub privacy: Option<PrivacyNotice>,
    /// What the reporter is told (handling, oral reports, counsellor,
    /// external route, protection); staff read it to tell an oral reporter.
    pub info: Vec<InfoSection>,
}

pub struct MineRow {
    pub href: String,
    pub number: String,
    pub title: String,
    pub state_key: String,
    pub received: String,
}

#[derive(Template)]
#[template(path = "meldpunt_receipt.html")]
pub struct ReceiptPage {
    pub l: Layout,
    pub number: String,
    pub code: String,
    pub mailbox_href: String,
    pub staff_entry: bool,
    pub privacy: Option<PrivacyNotice>,
}

pub fn date_of(secs: i64) -> String {
    jiff::Timestamp::from_second(secs)
        .map(|t| case::local_date(t).to_string())
        .unwrap_or_default()
}

pub fn datetime_of(secs: i64) -> String {
    jiff::Timestamp::from_second(secs)
        .map(|t| {
            t.to_zoned_datetime(case::amsterdam())
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

fn public_ctx(headers: &HeaderMap, path: String) -> Ctx {
    Ctx {
        lang: lang_from_headers(headers),
        path,
        user: None,
        demo: false,
    }
}

/// How a report is filed.
pub enum Filer<'a> {
    Public,
    Employee(&'a CurrentUser),
    Staff(&'a CurrentUser),
}

pub fn form_page(
    ctx: &Ctx,
    org: &orgs::Organisation,
    filer: &Filer<'_>,
    v: ReportValues,
    errors: FieldErrors,
    mine: Vec<MineRow>,
) -> ReportFormPage {
    let (action, title, public, staff) = match filer {
        Filer::Public => (
            format!("/o/{}/melden", org.slug),
            "meldpunt-title",
            true,
            false,
        ),
        Filer::Employee(_) => ("/melden".to_string(), "meldpunt-title", false, false),
        Filer::Staff(_) => ("/zaken/nieuw".to_string(), "case-new-title", false, true),
    };
    let default_identity = if public { "anonymous" } else { "confidential" };
    let identity = if v.identity.is_empty() {
        default_identity.to_string()
    } else {
        v.identity.clone()
    };
    let kind = if v.kind.is_empty() {
        "report".to_string()
    } else {
        v.kind.clone()
    };
    let channel = if v.channel.is_empty() {
        "phone".to_string()
    } else {
        v.channel.clone()
    };
    ReportFormPage {
        l: Layout::new(ctx, title),
        action,
        organisation: org.name.clone(),
        public,
        staff_entry: staff,
        kinds: choices(CaseKind::ALL, CaseKind::code, "case-kind-", &kind),
        identities: choices(
            IdentityMode::ALL,
            IdentityMode::code,
            "case-identity-",
            &identity,
        ),
        categories: choices(Category::ALL, Category::code, "case-category-", &v.category),
        channels: choices(
            Channel::STAFF_ENTRY,
            Channel::code,
            "case-channel-",
            &channel,
        ),
        v,
        errors,
        mailbox_href: format!("/o/{}/melden/postbus", org.slug),
        mine,
        privacy: None,
        info: Vec::new(),
    }
}

/// `GET /o/{org}/melden`: the public form.
pub async fn public_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let org = org_by_slug(&state, &slug).await?;
    let ctx = public_ctx(&headers, format!("/o/{slug}/melden"));
    let mut page = form_page(
        &ctx,
        &org,
        &Filer::Public,
        ReportValues::default(),
        FieldErrors::default(),
        Vec::new(),
    );
    page.privacy = statements::notice(&state, ctx.lang, &org).await?;
    page.info = meldpunt_info::for_org(&state, ctx.lang, &org).await?;
    no_store(render(&page)?)
}

async fn org_by_slug(state: &AppState, slug: &str) -> Result<orgs::Organisation, AppError> {
    let mut conn = state.store.conn().await?;
    orgs::by_slug(&mut conn, slug)
        .await?
        .ok_or(AppError::NotFound)
}

/// Nothing of the reporting point is kept by browsers or proxies.
pub fn no_store(mut r: Response) -> Result<Response, AppError> {
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, "no-store".parse().expect("static"));
    h.insert(
        header::REFERRER_POLICY,
        "no-referrer".parse().expect("static"),
    );
    Ok(r)
}

/// `POST /o/{org}/melden`.
pub async fn public_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let org = org_by_slug(&state, &slug).await?;
    let ctx = public_ctx(&headers, format!("/o/{slug}/melden"));
    let upload = read_upload(multipart).await?;
    submit(&state, &ctx, &org, Filer::Public, upload).await
}

/// `GET /melden`: the form for signed-in staff, and their own reports.
pub async fn employee_form(
    State(state): State<AppState>,
    s: SignedIn,
) -> Result<Response, AppError> {
    let p = &s.user.principal;
    decide(p, Action::Create, Resource::Report, Target::org(p.org))
        .map_err(|_| AppError::Forbidden)?;
    let mine = mine_rows(&state, &s.user).await?;
    let mut page = form_page(
        &s.ctx,
        &s.user.org,
        &Filer::Employee(&s.user),
        ReportValues::default(),
        FieldErrors::default(),
        mine,
    );
    page.privacy = statements::notice(&state, s.ctx.lang, &s.user.org).await?;
    page.info = meldpunt_info::for_org(&state, s.ctx.lang, &s.user.org).await?;
    no_store(render(&page)?)
}

async fn mine_rows(state: &AppState, user: &CurrentUser) -> Result<Vec<MineRow>, AppError> {
    let p = &user.principal;
    let mut conn = state.store.conn().await?;
    let rows = cases::list_reported_by(&mut conn, &state.key, p.org, p.person).await?;
    Ok(rows
        .into_iter()
        .map(|c| MineRow {
            href: format!("/melden/{}", c.id),
            number: c.number,
            title: c.title,
            state_key: format!("case-state-{}", c.state.code()),
            received: date_of(c.received_at),
        })
        .collect())
}

/// `POST /melden`.
pub async fn employee_submit(
    State(state): State<AppState>,
    s: SignedIn,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let upload = read_upload(multipart).await?;
    upload.fields.verify_csrf(&s.user.csrf)?;
    let p = &s.user.principal;
    decide(p, Action::Create, Resource::Report, Target::org(p.org))
        .map_err(|_| AppError::Forbidden)?;
    let org = s.user.org.clone();
    submit(&state, &s.ctx, &org, Filer::Employee(&s.user), upload).await
}

/// Who receives a new case: the intake handlers, or, when the report is
/// about the integrity office or the director, the alternate handlers.
/// Never a person the case names.
pub async fn intake_team(
    db: &mut integer_store::Db,
    org: OrgId,
    kind: CaseKind,
    about_office: bool,
    named: &[PersonId],
) -> Result<(Vec<(PersonId, TeamRole)>, bool), AppError> {
    // Complaints about undesirable behaviour go to the complaints
    // committee when the organisation named its members.
    if kind == CaseKind::Complaint && !about_office {
        let mut committee = cases::handlers(db, org, "complaints").await?;
        committee.retain(|p| !named.contains(p));
        if !committee.is_empty() {
            return Ok((
                committee
                    .into_iter()
                    .map(|p| (p, TeamRole::Committee))
                    .collect(),
                false,
            ));
        }
    }
    let mut intake = cases::handlers(db, org, "intake").await?;
    if intake.is_empty() {
        intake = people::with_role(db, org, Role::IntegrityOffice)
            .await?
            .into_iter()
            .map(|x| x.0)
            .collect();
    }
    let mut office_or_director = intake.clone();
    office_or_director.extend(
        people::with_role(db, org, Role::IntegrityOffice)
            .await?
            .into_iter()
            .map(|x| x.0),
    );
    office_or_director.extend(
        people::with_role(db, org, Role::Director)
            .await?
            .into_iter()
            .map(|x| x.0),
    );
    let alternate = about_office || named.iter().any(|n| office_or_director.contains(n));
    let mut team = if alternate {
        let mut alt = cases::handlers(db, org, "alternate").await?;
        if alt.is_empty() {
            alt = people::with_role(db, org, Role::Board)
                .await?
                .into_iter()
                .map(|x| x.0)
                .collect();
        }
        alt
    } else {
        intake
    };
    team.retain(|p| !named.contains(p));
    team.sort_by_key(|p| p.0);
    team.dedup();
    Ok((
        team.into_iter().map(|p| (p, TeamRole::Member)).collect(),
        alternate,
    ))
}

/// Validates and files a report from any channel; shows the receipt only
/// after the transaction committed.
pub async fn submit(
    state: &AppState,
    ctx: &Ctx,
    org: &orgs::Organisation,
    filer: Filer<'_>,
    upload: Upload,
) -> Result<Response, AppError> {
    match file_report(state, ctx.lang, org, &filer, upload).await? {
        Filing::Invalid(v, errors) => {
            let mine = match &filer {
                Filer::Employee(u) => mine_rows(state, u).await?,
                _ => Vec::new(),
            };
            let mut page = form_page(ctx, org, &filer, *v, errors, mine);
            if !matches!(filer, Filer::Staff(_)) {
                page.privacy = statements::notice(state, ctx.lang, org).await?;
            }
            page.info = meldpunt_info::for_org(state, ctx.lang, org).await?;
            no_store(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)?)
        }
        Filing::Filed { number, code, .. } => {
            let staff_entry = matches!(filer, Filer::Staff(_));
            let privacy = if staff_entry {
                None
            } else {
                statements::notice(state, ctx.lang, org).await?
            };
            let page = ReceiptPage {
                l: Layout::new(ctx, "meldpunt-receipt-title"),
                number,
                code,
                mailbox_href: format!("/o/{}/melden/postbus", org.slug),
                staff_entry,
                privacy,
            };
            no_store(render(&page)?)
        }
    }
}

/// What filing a report came to.
pub enum Filing {
    /// Committed: the receipt code may be shown now.
    Filed {
        id: i64,
        number: String,
        code: String,
    },
    /// Not filed: the values as entered and what to fix.
    Invalid(Box<ReportValues>, FieldErrors),
}

/// Validates and files a report from any channel (pages and API); the
/// receipt exists only once the transaction committed.
pub async fn file_report(
    state: &AppState,
    lang: Lang,
    org: &orgs::Organisation,
    filer: &Filer<'_>,
    upload: Upload,
) -> Result<Filing, AppError> {
    let f = &upload.fields;
    let v = ReportValues::from_form(f);
    let mut errors = FieldErrors::default();
    let kind = match &filer {
        Filer::Public => Some(CaseKind::Report),
        _ => CaseKind::from_code(if v.kind.is_empty() { "report" } else { &v.kind }),
    };
    if kind.is_none() {
        errors.add(lang, "soort", &Problem::new("case-error-kind"));
    }
    let identity_mode = IdentityMode::from_code(&v.identity);
    if identity_mode.is_none() {
        errors.add(lang, "identiteit", &Problem::new("case-error-identity"));
    }
    let category = match v.category.as_str() {
        "" => None,
        c => match Category::from_code(c) {
            Some(c) => Some(c.code().to_string()),
            None => {
                errors.add(lang, "categorie", &Problem::new("case-error-category"));
                None
            }
        },
    };
    for (field, p) in case::check_text("melding", &v.body, true) {
        errors.add(lang, field, &p);
    }
    if v.title.chars().count() > 200 {
        errors.add(
            lang,
            "onderwerp",
            &Problem::new("error-text-too-long").with("max", "200"),
        );
    }
    // Named or confidential: who is the reporter? A signed-in employee is
    // known by their account; otherwise they give at least a name.
    let identity = match (identity_mode, &filer) {
        (Some(IdentityMode::Anonymous) | None, _) => None,
        (Some(_), Filer::Employee(s)) => Some(Identity {
            name: s.name.clone(),
            email: String::new(),
            phone: v.phone.clone(),
            person_id: Some(s.principal.person.0),
        }),
        (Some(_), _) => {
            if v.name.is_empty() {
                errors.add(lang, "naam", &Problem::new("case-error-name"));
            }
            if !v.email.is_empty() && integer_domain::values::Email::parse(&v.email).is_err() {
                errors.add(lang, "email", &Problem::new("case-error-email"));
            }
            Some(Identity {
                name: v.name.clone(),
                email: v.email.clone(),
                phone: v.phone.clone(),
                person_id: None,
            })
        }
    };
    let (channel, received_at) = match &filer {
        Filer::Public => (Channel::WebPublic, integer_store::now()),
        Filer::Employee(_) => (Channel::WebEmployee, integer_store::now()),
        Filer::Staff(_) => {
            let channel =
                Channel::from_code(&v.channel).filter(|c| Channel::STAFF_ENTRY.contains(c));
            if channel.is_none() {
                errors.add(lang, "kanaal", &Problem::new("case-error-channel"));
            }
            let now = integer_store::now();
            let received = if v.received_on.is_empty() {
                Some(now)
            } else {
                match v.received_on.parse::<jiff::civil::Date>() {
                    Ok(d) if d <= case::local_date(jiff::Timestamp::now()) => d
                        .to_zoned_datetime(case::amsterdam())
                        .ok()
                        .map(|z| z.timestamp().as_second() + 12 * 3600),
                    _ => None,
                }
            };
            if received.is_none() {
                errors.add(lang, "ontvangen_op", &Problem::new("case-error-date"));
            }
            (channel.unwrap_or(Channel::Phone), received.unwrap_or(now))
        }
    };
    let files = check_files(lang, &mut errors, &upload.files);
    let (Some(kind), Some(identity_mode), true) = (kind, identity_mode, errors.is_empty()) else {
        return Ok(Filing::Invalid(Box::new(v), errors));
    };
    let code = case::new_receipt_code();
    let canonical = case::normalize_receipt_code(&code).expect("a fresh code is canonical");
    let hash = receipt_hash(&state.pepper, canonical).await?;
    let title = if v.title.is_empty() {
        v.body.chars().take(60).collect::<String>()
    } else {
        v.title.clone()
    };
    let org_id = org.id;
    let mut tx = state.store.begin_write().await?;
    let (mut team, alternate) = intake_team(&mut tx, org_id, kind, v.about_office, &[]).await?;
    if let Filer::Staff(s) = &filer {
        // Whoever enters it (the integrity office) owns it, unless it is
        // about the office: then it goes around them.
        let me = s.principal.person;
        if !alternate && s.principal.roles.has(Role::IntegrityOffice) {
            team.retain(|(p, _)| *p != me);
            team.insert(0, (me, TeamRole::Owner));
        }
    }
    let reporter_tag = match (&filer, identity_mode) {
        (Filer::Employee(s), IdentityMode::Named | IdentityMode::Confidential) => {
            Some(cases::reporter_tag(&state.key, org_id, s.principal.person))
        }
        _ => None,
    };
    let new = NewCase {
        kind,
        channel,
        identity_mode,
        category,
        title,
        body: v.body.clone(),
        identity,
        reporter_tag,
        created_by: match &filer {
            Filer::Staff(s) => Some(s.principal.person),
            _ => None,
        },
        received_at,
        receipt_hash: hash,
        named: Vec::new(),
        files,
        team: team.clone(),
        alternate,
    };
    let created = cases::create(&mut tx, &state.key, org_id, &new).await?;
    // The organisation may acknowledge receipt at once, with the standard
    // message (Wbk: within 7 days; the reporter sees it in the mailbox).
    if cases::settings(&mut tx, org_id).await?.auto_acknowledge {
        cases::mark(&mut tx, org_id, created.id, 1, cases::Mark::Acknowledged).await?;
        let text = integer_domain::i18n::Catalog::bundled().get(Lang::Nl, "case-ack-default");
        cases::add_entry(
            &mut tx,
            &state.key,
            created.id,
            EntryKind::ToReporter,
            None,
            text,
            &[],
        )
        .await?;
    }
    for (person, _) in &team {
        integer_store::declarations::notify(&mut tx, org_id, *person, "case.new", None).await?;
    }
    // The audit row says a report came in, through which channel; never
    // who reported (not even a signed-in employee) nor what.
    let (actor, credential) = match (&filer, identity_mode) {
        (Filer::Staff(s), _) => (s.actor(), s.credential),
        (Filer::Employee(s), IdentityMode::Named) => (s.actor(), s.credential),
        _ => ("reporter".to_string(), Credential::Anonymous),
    };
    audit::append(
        &mut tx,
        &audit::event(
            Some(org_id.0),
            actor,
            credential,
            "case.received",
            "case",
            created.id,
            serde_json::json!({"number": created.number, "channel": channel.code(), "kind": kind.code(),
                "files": new.files.len(), "alternate": alternate}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Filing::Filed {
        id: created.id,
        number: created.number,
        code,
    })
}

#[derive(Template)]
#[template(path = "mailbox_login.html")]
pub struct MailboxLoginPage {
    pub l: Layout,
    pub action: String,
    pub organisation: String,
    pub errors: FieldErrors,
    pub form_error: Option<String>,
    pub privacy: Option<PrivacyNotice>,
}

/// `GET /o/{org}/melden/postbus`.
pub async fn mailbox_login_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let org = org_by_slug(&state, &slug).await?;
    let ctx = public_ctx(&headers, format!("/o/{slug}/melden/postbus"));
    let privacy = statements::notice(&state, ctx.lang, &org).await?;
    no_store(render(&MailboxLoginPage {
        l: Layout::new(&ctx, "mailbox-title"),
        action: format!("/o/{slug}/melden/postbus"),
        organisation: org.name,
        errors: FieldErrors::default(),
        form_error: None,
        privacy,
    })?)
}

/// `POST /o/{org}/melden/postbus`: the receipt code opens the mailbox.
/// Wrong codes are throttled per organisation and per (hashed) address,
/// and the answer never says whether a code exists.
pub async fn mailbox_login(
    State(state): State<AppState>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    form: Form,
) -> Result<Response, AppError> {
    let org = org_by_slug(&state, &slug).await?;
    let ctx = public_ctx(&headers, format!("/o/{slug}/melden/postbus"));
    let lang = ctx.lang;
    let catalog = integer_domain::i18n::Catalog::bundled();
    let ip = super::auth::client_ip(&state, &headers, peer);
    // Keyed with the installation key (not in the database), so that the
    // short-lived failure rows cannot be turned back into an address.
    let ip_key = state.key.tag("receipt-ip", &ip);
    let org_key =
        crate::security::throttle_key(&state.pepper, "receipt-org", &org.id.0.to_string());
    let privacy = statements::notice(&state, lang, &org).await?;
    let fail = |msg: String, status: StatusCode| -> Result<Response, AppError> {
        no_store(render_status(
            status,
            &MailboxLoginPage {
                l: Layout::new(&ctx, "mailbox-title"),
                action: format!("/o/{slug}/melden/postbus"),
                organisation: org.name.clone(),
                errors: FieldErrors::default(),
                form_error: Some(msg),
                privacy: privacy.clone(),
            },
        )?)
    };
    {
        let mut conn = state.store.conn().await?;
        let by_ip =
            integer_store::sessions::recent_failures(&mut conn, &ip_key, RECEIPT_WINDOW_SECS)
                .await?;
        // Per organisation a higher bar: a spread-out guessing attack
        // slows everyone's sign-in down rather than succeeding.
        let by_org =
            integer_store::sessions::recent_failures(&mut conn, &org_key, RECEIPT_WINDOW_SECS)
                .await?;
        if by_ip >= RECEIPT_MAX_FAILURES || by_org >= RECEIPT_MAX_FAILURES * 20 {
            return fail(
                catalog.format(
                    lang,
                    "mailbox-error-throttled",
                    &[("minutes", (RECEIPT_WINDOW_SECS / 60).to_string())],
                ),
                StatusCode::TOO_MANY_REQUESTS,
            );
        }
    }
    let found = match case::normalize_receipt_code(form.get("code")) {
        Some(canonical) => {
            let hash = receipt_hash(&state.pepper, canonical).await?;
            let mut conn = state.store.conn().await?;
            cases::mailbox_case(&mut conn, org.id, &hash).await?
        }
        None => {
            // Take as long as a real check, so timing tells nothing.
            let _ = receipt_hash(&state.pepper, "0".repeat(20)).await?;
            None
        }
    };
    let Some(case_id) = found else {
        let mut tx = state.store.begin_write().await?;
        integer_store::sessions::record_failure(&mut tx, &ip_key).await?;
        integer_store::sessions::record_failure(&mut tx, &org_key).await?;
        tx.commit().await?;
        return fail(
            catalog.get(lang, "mailbox-error-code").to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let token = integer_store::random_token();
    let mut tx = state.store.begin_write().await?;
    cases::open_mailbox_session(
        &mut tx,
        org.id,
        case_id,
        &integer_store::sha256_hex(&token),
        MAILBOX_TTL_SECS,
    )
    .await?;
    audit::append(
        &mut tx,
        &audit::event(
            Some(org.id.0),
            "reporter".to_string(),
            Credential::Anonymous,
            "case.mailbox_opened",
            "case",
            case_id,
            serde_json::json!({}),
        ),
    )
    .await?;
    tx.commit().await?;
    let mut response = Redirect::to(&format!("/o/{slug}/melden/postbus/zaak")).into_response();
    let c = set_cookie(
        MAILBOX_COOKIE,
        &token,
        Some(MAILBOX_TTL_SECS),
        state.config.secure_cookies,
    )
    .replace("Path=/;", &format!("Path=/o/{slug}/melden;"));
    response.headers_mut().append(
        header::SET_COOKIE,
        c.parse().map_err(|_| AppError::BadRequest)?,
    );
    no_store(response)
}

/// The mailbox session: the case it opens and the CSRF token of its forms.
struct Mailbox {
    org: orgs::Organisation,
    case_id: i64,
    csrf: String,
    token_hash: String,
}

async fn mailbox(state: &AppState, headers: &HeaderMap, slug: &str) -> Result<Mailbox, AppError> {
    let org = org_by_slug(state, slug).await?;
    let token = cookie(headers, MAILBOX_COOKIE).unwrap_or("");
    if token.is_empty() {
        return Err(AppError::Redirect(format!("/o/{slug}/melden/postbus")));
    }
    let token_hash = integer_store::sha256_hex(token);
    let mut conn = state.store.conn().await?;
    let case_id = cases::mailbox_session(&mut conn, org.id, &token_hash)
        .await?
        .ok_or_else(|| AppError::Redirect(format!("/o/{slug}/melden/postbus")))?;
    Ok(Mailbox {
        org,
        case_id,
        csrf: integer_store::sha256_hex(&format!("mailbox-csrf\u{1f}{token}")),
        token_hash,
    })
}

pub struct MessageView {
    pub from_reporter: bool,
    pub at: String,
    pub body: String,
    pub author: String,
    pub kind_key: String,
    pub files: Vec<FileView>,
}

pub struct FileView {
    pub name: String,
    pub size: String,
    pub href: String,
}

pub fn size_text(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / 1024.0 / 1024.0)
    } else {
        format!("{} kB", (bytes + 1023) / 1024)
    }
}

#[derive(Template)]
#[template(path = "mailbox.html")]
pub struct MailboxPage {
    pub l: Layout,
    pub number: String,
    pub state_key: String,
    pub received: String,
    pub acknowledged: Option<String>,
    pub feedback_due: Option<String>,
    pub feedback_given: Option<String>,
    pub messages: Vec<MessageView>,
    pub csrf: String,
    pub reply_action: String,
    pub confirm_action: Option<String>,
    pub logout_action: Option<String>,
    /// The report as filed (or the minutes staff wrote of it).
    pub report: String,
    pub is_minutes: bool,
    pub minutes_confirmed: bool,
    pub errors: FieldErrors,
    pub sent: bool,
    /// The reporter's answer to a question was recorded.
    pub answered: bool,
    pub privacy: Option<PrivacyNotice>,
    pub info: Vec<InfoSection>,
    /// Requests to disclose the identity put to the reporter, and what
    /// became of them.
    pub consents: Vec<ConsentView>,
    pub consent_action: String,
    /// The corrections the reporter proposed to the minutes.
    pub corrections: Vec<CorrectionView>,
    pub correction_action: Option<String>,
}

impl MailboxPage {
    /// Whether questions about the identity were answered (or a legal
    /// disclosure told) before: shown as a list.
    pub fn consent_history(&self) -> bool {
        self.consents.iter().any(|q| !q.open)
    }
}

/// A request to disclose the identity, as the reporter reads it.
pub struct ConsentView {
    pub id: i64,
    pub recipient: String,
    pub reason: String,
    pub legal: bool,
    pub ground: String,
    pub state_key: String,
    /// Waiting for the reporter's answer.
    pub open: bool,
    pub asked: String,
    pub answered: String,
    pub informed: String,
}

/// A correction of the minutes, as the reporter reads it.
pub struct CorrectionView {
    pub proposal: String,
    pub at: String,
    pub state_key: String,
    pub answer: String,
    pub answered: String,
}

/// The reporter's words about the state: they see the stage, not the
/// internals.
fn reporter_state_key(s: CaseState) -> String {
    format!("case-state-{}", s.code())
}

/// Where a reporter reads their case: the public mailbox (receipt code)
/// or, for a named employee, their own report page.
struct Thread {
    case_id: i64,
    org: OrgId,
    csrf: String,
    /// The path the forms post under.
    base: String,
    /// The public mailbox has a "close" button and its page under `zaak`.
    public: bool,
}

async fn mailbox_page(
    state: &AppState,
    ctx: &Ctx,
    t: &Thread,
    errors: FieldErrors,
    flags: Sent,
) -> Result<MailboxPage, AppError> {
    let (case_id, org, base, with_logout) = (t.case_id, t.org, t.base.as_str(), t.public);
    let csrf = t.csrf.clone();
    let mut conn = state.store.conn().await?;
    let c = cases::get(&mut conn, &state.key, org, case_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let entries = cases::entries(&mut conn, &state.key, case_id, true).await?;
    let is_minutes = c.created_by.is_some();
    let organisation = orgs::get(&mut conn, org).await?;
    let privacy = statements::privacy_notice(&mut conn, ctx.lang, &organisation).await?;
    let info = meldpunt_info::sections(&mut conn, ctx.lang, &organisation).await?;
    // The reporter sees what was put to them and what became of it, and a
    // disclosure under a legal obligation once they were told of it; not
    // the team's internal requests and decisions.
    let consents = integer_store::case_disclosures::list(&mut conn, &state.key, case_id)
        .await?
        .into_iter()
        .filter(|r| match r.state {
            DisclosureState::Asked | DisclosureState::Consented | DisclosureState::Refused => true,
            DisclosureState::Legal => r.informed_at.is_some(),
            _ => false,
        })
        .map(|r| ConsentView {
            id: r.id,
            open: r.state == DisclosureState::Asked,
            legal: r.basis == Basis::Legal,
            recipient: r.recipient,
            reason: r.reason,
            ground: r.ground.unwrap_or_default(),
            state_key: format!("mailbox-consent-{}", r.state.code()),
            asked: r.asked_at.map(datetime_of).unwrap_or_default(),
            answered: r.answered_at.map(datetime_of).unwrap_or_default(),
            informed: r.informed_at.map(datetime_of).unwrap_or_default(),
        })
        .collect();
    let corrections = integer_store::case_minutes::list(&mut conn, &state.key, case_id).await?;
    let correction_pending = corrections
        .iter()
        .any(|x| x.state == CorrectionState::Pending);
    let open_minutes = is_minutes && c.minutes_confirmed_at.is_none();
    Ok(MailboxPage {
        l: Layout::new(ctx, "mailbox-title"),
        number: c.number.clone(),
        state_key: reporter_state_key(c.state),
        received: date_of(c.received_at),
        acknowledged: c.acknowledged_at.map(date_of),
        feedback_due: c.feedback_due.clone(),
        feedback_given: c.feedback_at.map(date_of),
        messages: entries
            .into_iter()
            .filter(|e| !(e.body.is_empty() && e.files.is_empty()))
            .map(|e| MessageView {
                from_reporter: e.kind == EntryKind::FromReporter,
                at: datetime_of(e.created_at),
                body: e.body,
                author: String::new(),
                kind_key: format!("case-entry-{}", e.kind.code()),
                files: e
                    .files
                    .iter()
                    .map(|f| FileView {
                        name: f.name.clone(),
                        size: size_text(f.size),
                        href: String::new(),
                    })
                    .collect(),
            })
            .collect(),
        csrf,
        reply_action: format!("{base}/bericht"),
        // Corrections first: the reporter confirms the minutes once no
        // proposal of theirs waits for an answer.
        confirm_action: (open_minutes && !correction_pending).then(|| format!("{base}/verslag")),
        correction_action: (open_minutes && !correction_pending)
            .then(|| format!("{base}/correctie")),
        corrections: corrections
            .into_iter()
            .map(|x| CorrectionView {
                proposal: x.proposal,
                at: datetime_of(x.proposed_at),
                state_key: format!("mailbox-correction-{}", x.state.code()),
                answer: x.answer.unwrap_or_default(),
                answered: x.answered_at.map(datetime_of).unwrap_or_default(),
            })
            .collect(),
        consents,
        consent_action: format!("{base}/toestemming"),
        info,
        logout_action: with_logout.then(|| format!("{base}/uit")),
        report: c.body.clone(),
        is_minutes,
        minutes_confirmed: c.minutes_confirmed_at.is_some(),
        errors,
        sent: flags.verstuurd.is_some(),
        answered: flags.beantwoord.is_some(),
        privacy: Some(privacy),
    })
}

/// `GET /o/{org}/melden/postbus/zaak`.
pub async fn mailbox_show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    axum::extract::Query(q): axum::extract::Query<Sent>,
) -> Result<Response, AppError> {
    let m = mailbox(&state, &headers, &slug).await?;
    let ctx = public_ctx(&headers, format!("/o/{slug}/melden/postbus/zaak"));
    let t = Thread {
        case_id: m.case_id,
        org: m.org.id,
        csrf: m.csrf,
        base: format!("/o/{slug}/melden/postbus"),
        public: true,
    };
    let page = mailbox_page(&state, &ctx, &t, FieldErrors::default(), q).await?;
    no_store(render(&page)?)
}

#[derive(serde::Deserialize, Default)]
pub struct Sent {
    #[serde(default)]
    verstuurd: Option<String>,
    #[serde(default)]
    beantwoord: Option<String>,
}

/// Adds the reporter's message and files to the case.
async fn reporter_message(
    state: &AppState,
    ctx: &Ctx,
    t: Thread,
    upload: Upload,
) -> Result<Response, AppError> {
    let (case_id, org, with_logout) = (t.case_id, t.org, t.public);
    let lang = ctx.lang;
    let mut errors = FieldErrors::default();
    let text = upload.fields.get("bericht").trim().to_string();
    for (field, p) in case::check_text("bericht", &text, upload.files.is_empty()) {
        errors.add(lang, field, &p);
    }
    let files = check_files(lang, &mut errors, &upload.files);
    if !errors.is_empty() {
        let page = mailbox_page(state, ctx, &t, errors, Sent::default()).await?;
        return no_store(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)?);
    }
    let mut tx = state.store.begin_write().await?;
    cases::add_entry(
        &mut tx,
        &state.key,
        case_id,
        EntryKind::FromReporter,
        None,
        &text,
        &files,
    )
    .await?;
    for p in cases::owners(&mut tx, case_id).await? {
        integer_store::declarations::notify(&mut tx, org, p, "case.message", None).await?;
    }
    audit::append(
        &mut tx,
        &audit::event(
            Some(org.0),
            "reporter",
            Credential::Anonymous,
            "case.reporter_message",
            "case",
            case_id,
            serde_json::json!({"files": files.len()}),
        ),
    )
    .await?;
    tx.commit().await?;
    let base = &t.base;
    Ok(Redirect::to(&format!(
        "{}?verstuurd=1",
        if with_logout {
            format!("{base}/zaak")
        } else {
            base.to_string()
        }
    ))
    .into_response())
}

/// `POST /o/{org}/melden/postbus/bericht`.
pub async fn mailbox_reply(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let m = mailbox(&state, &headers, &slug).await?;
    let upload = read_upload(multipart).await?;
    upload.fields.verify_csrf(&m.csrf)?;
    let ctx = public_ctx(&headers, format!("/o/{slug}/melden/postbus/zaak"));
    let t = Thread {
        case_id: m.case_id,
        org: m.org.id,
        csrf: m.csrf.clone(),
        base: format!("/o/{slug}/melden/postbus"),
        public: true,
    };
    reporter_message(&state, &ctx, t, upload).await
}

/// `POST /o/{org}/melden/postbus/verslag`: the reporter confirms the
/// minutes staff wrote of an oral report.
pub async fn mailbox_confirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    form: Form,
) -> Result<Response, AppError> {
    let m = mailbox(&state, &headers, &slug).await?;
    form.verify_csrf(&m.csrf)?;
    confirm_minutes(&state, m.org.id, m.case_id, "reporter".into()).await?;
    Ok(Redirect::to(&format!("/o/{slug}/melden/postbus/zaak")).into_response())
}

async fn confirm_minutes(
    state: &AppState,
    org: OrgId,
    case_id: i64,
    actor: String,
) -> Result<(), AppError> {
    let mut tx = state.store.begin_write().await?;
    let c = cases::get(&mut tx, &state.key, org, case_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if c.created_by.is_none() || c.minutes_confirmed_at.is_some() {
        return Ok(());
    }
    cases::mark(
        &mut tx,
        org,
        case_id,
        c.version,
        cases::Mark::MinutesConfirmed,
    )
    .await?;
    audit::append(
        &mut tx,
        &audit::event(
            Some(org.0),
            actor,
            Credential::Anonymous,
            "case.minutes_confirmed",
            "case",
            case_id,
            serde_json::json!({}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// `POST /o/{org}/melden/postbus/uit`.
pub async fn mailbox_logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    form: Form,
) -> Result<Response, AppError> {
    let m = mailbox(&state, &headers, &slug).await?;
    form.verify_csrf(&m.csrf)?;
    let mut conn = state.store.conn().await?;
    cases::close_mailbox_session(&mut conn, &m.token_hash).await?;
    let mut response = Redirect::to(&format!("/o/{slug}/melden/postbus")).into_response();
    let c = set_cookie(MAILBOX_COOKIE, "", Some(0), state.config.secure_cookies)
        .replace("Path=/;", &format!("Path=/o/{slug}/melden;"));
    response.headers_mut().append(
        header::SET_COOKIE,
        c.parse().map_err(|_| AppError::BadRequest)?,
    );
    Ok(response)
}

fn own_thread(s: &SignedIn, id: i64) -> Thread {
    Thread {
        case_id: id,
        org: s.user.principal.org,
        csrf: s.user.csrf.clone(),
        base: format!("/melden/{id}"),
        public: false,
    }
}

async fn own_report(state: &AppState, s: &SignedIn, id: i64) -> Result<(), AppError> {
    let p = &s.user.principal;
    let mut conn = state.store.conn().await?;
    if cases::is_reporter(&mut conn, &state.key, p.org, id, p.person).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// `GET /melden/{id}`: a signed-in reporter's own (named) report.
pub async fn own_show(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<Sent>,
) -> Result<Response, AppError> {
    own_report(&state, &s, id).await?;
    let t = own_thread(&s, id);
    let page = mailbox_page(&state, &s.ctx, &t, FieldErrors::default(), q).await?;
    no_store(render(&page)?)
}

/// `POST /melden/{id}/bericht`.
pub async fn own_reply(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let upload = read_upload(multipart).await?;
    upload.fields.verify_csrf(&s.user.csrf)?;
    own_report(&state, &s, id).await?;
    reporter_message(&state, &s.ctx, own_thread(&s, id), upload).await
}

/// `POST /melden/{id}/verslag`.
pub async fn own_confirm(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<i64>,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    own_report(&state, &s, id).await?;
    confirm_minutes(&state, s.user.principal.org, id, "reporter".into()).await?;
    Ok(Redirect::to(&format!("/melden/{id}")).into_response())
}

/// Where a reporter's answer goes back to: the mailbox page.
fn thread_page(t: &Thread, flag: &str) -> String {
    if t.public {
        format!("{}/zaak?{flag}=1", t.base)
    } else {
        format!("{}?{flag}=1", t.base)
    }
}

/// The reporter answers a request to disclose their identity, in writing:
/// yes or no, with an optional note; recorded with the time (Wbk art. 1a
/// lid 1: express, written consent). Who asked and the handlers are told.
async fn consent_answer(
    state: &AppState,
    ctx: &Ctx,
    t: Thread,
    form: &Form,
) -> Result<Response, AppError> {
    let lang = ctx.lang;
    let request: i64 = form
        .get("verzoek")
        .parse()
        .map_err(|_| AppError::BadRequest)?;
    let note = form.get(disclosure::field::NOTE);
    let consent = match disclosure::check_answer(form.get(disclosure::field::ANSWER), note) {
        Ok(c) => c,
        Err(problems) => {
            let mut errors = FieldErrors::default();
            for (f, p) in problems {
                errors.add(lang, f, &p);
            }
            let page = mailbox_page(state, ctx, &t, errors, Sent::default()).await?;
            return no_store(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)?);
        }
    };
    let mut tx = state.store.begin_write().await?;
    let r = integer_store::case_disclosures::get(&mut tx, &state.key, t.case_id, request)
        .await?
        .ok_or(AppError::NotFound)?;
    let to = disclosure::answer(r.state, consent).map_err(|_| AppError::Conflict)?;
    integer_store::case_disclosures::answer(&mut tx, &state.key, t.case_id, request, to, note)
        .await
        .map_err(|e| match e {
            integer_store::StoreError::Conflict(_) => AppError::Conflict,
            e => e.into(),
        })?;
    super::case_identity::answered(&mut tx, t.org, &r, consent).await?;
    audit::append(
        &mut tx,
        &audit::event(
            Some(t.org.0),
            "reporter",
            Credential::Anonymous,
            if consent {
                "case.identity_consent_given"
            } else {
                "case.identity_consent_refused"
            },
            "case",
            t.case_id,
            serde_json::json!({"request": request}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&thread_page(&t, "beantwoord")).into_response())
}

/// The reporter proposes a correction to the minutes of their oral report
/// before confirming them (directive 2019/1937 art. 18).
async fn propose_correction(
    state: &AppState,
    ctx: &Ctx,
    t: Thread,
    form: &Form,
) -> Result<Response, AppError> {
    let lang = ctx.lang;
    let text = form.get("correctie").trim().to_string();
    let problems = case::check_text("correctie", &text, true);
    if !problems.is_empty() {
        let mut errors = FieldErrors::default();
        for (f, p) in problems {
            errors.add(lang, f, &p);
        }
        let page = mailbox_page(state, ctx, &t, errors, Sent::default()).await?;
        return no_store(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)?);
    }
    let mut tx = state.store.begin_write().await?;
    let correction =
        integer_store::case_minutes::propose(&mut tx, &state.key, t.org, t.case_id, &text)
            .await
            .map_err(|e| match e {
                integer_store::StoreError::Conflict(_) => AppError::Conflict,
                e => e.into(),
            })?;
    for p in cases::owners(&mut tx, t.case_id).await? {
        integer_store::declarations::notify(&mut tx, t.org, p, "case.minutes_correction", None)
            .await?;
    }
    audit::append(
        &mut tx,
        &audit::event(
            Some(t.org.0),
            "reporter",
            Credential::Anonymous,
            "case.minutes_correction_proposed",
            "case",
            t.case_id,
            serde_json::json!({"correction": correction}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&thread_page(&t, "verstuurd")).into_response())
}

fn public_thread(m: &Mailbox, slug: &str) -> Thread {
    Thread {
        case_id: m.case_id,
        org: m.org.id,
        csrf: m.csrf.clone(),
        base: format!("/o/{slug}/melden/postbus"),
        public: true,
    }
}

/// `POST /o/{org}/melden/postbus/toestemming`.
pub async fn mailbox_consent(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    form: Form,
) -> Result<Response, AppError> {
    let m = mailbox(&state, &headers, &slug).await?;
    form.verify_csrf(&m.csrf)?;
    let ctx = public_ctx(&headers, format!("/o/{slug}/melden/postbus/zaak"));
    consent_answer(&state, &ctx, public_thread(&m, &slug), &form).await
}

/// `POST /o/{org}/melden/postbus/correctie`.
pub async fn mailbox_correction(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    form: Form,
) -> Result<Response, AppError> {
    let m = mailbox(&state, &headers, &slug).await?;
    form.verify_csrf(&m.csrf)?;
    let ctx = public_ctx(&headers, format!("/o/{slug}/melden/postbus/zaak"));
    propose_correction(&state, &ctx, public_thread(&m, &slug), &form).await
}

/// `POST /melden/{id}/toestemming`.
pub async fn own_consent(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<i64>,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    own_report(&state, &s, id).await?;
    consent_answer(&state, &s.ctx, own_thread(&s, id), &form).await
}

/// `POST /melden/{id}/correctie`.
pub async fn own_correction(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<i64>,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    own_report(&state, &s, id).await?;
    propose_correction(&state, &s.ctx, own_thread(&s, id), &form).await
}
