//! The confidential counsellors' log (`/vertrouwenspersoon`): a counsellor
//! records consultations without names and sees only their own entries of
//! the year; corrections within the year and deletion by the author; the
//! yearly counts across all counsellors (`/vertrouwenspersoon/cijfers`,
//! also as CSV) for counsellors and the integrity office. docs/COUNSELLORS.md.

use super::{render, render_status};
use crate::AppState;
use crate::ctx::SignedIn;
use crate::error::AppError;
use crate::forms::{FieldErrors, Form};
use crate::view::Layout;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use integer_domain::Problem;
use integer_domain::audit::Credential;
use integer_domain::authz::{Action, Permit, Resource, Scope, Target, decide};
use integer_domain::counsel::{
    self, BehaviourKind, Consultation, ConsultationInput, CounselAction, Topic, Visitor, field,
};
use integer_domain::i18n::Catalog;
use integer_store::StoreError;
use integer_store::counsellor_log::{self as store, Author, Entry};

/// One option of a radio or checkbox group.
pub struct Choice {
    pub code: &'static str,
    pub label_key: String,
    pub checked: bool,
}

/// The entry form, as new or as last submitted.
pub struct EntryForm {
    /// Where the form posts.
    pub action: String,
    pub date: String,
    pub topics: Vec<Choice>,
    pub behaviours: Vec<Choice>,
    pub visitors: Vec<Choice>,
    pub actions: Vec<Choice>,
    pub contacts: String,
    /// `first` or `follow_up` (empty: none chosen).
    pub contact: String,
    pub errors: FieldErrors,
}

pub struct EntryRow {
    pub id: i64,
    pub date: String,
    pub topic_key: String,
    pub behaviour_key: Option<String>,
    pub visitor_key: String,
    pub action_keys: Vec<String>,
    pub contacts: i64,
    pub contact_key: &'static str,
}

#[derive(Template)]
#[template(path = "counsellor_log.html")]
pub struct LogPage {
    pub l: Layout,
    pub mine_title: String,
    pub form: EntryForm,
    pub entries: Vec<EntryRow>,
    pub notice_key: Option<&'static str>,
    pub can_count: bool,
}

#[derive(Template)]
#[template(path = "counsellor_log_edit.html")]
pub struct EditPage {
    pub l: Layout,
    pub id: i64,
    pub version: i64,
    pub correctable: bool,
    /// Why a closed year's entry can no longer be corrected.
    pub closed_text: String,
    pub form: EntryForm,
}

/// One table of the counts.
pub struct GroupView {
    pub id: &'static str,
    pub caption_key: &'static str,
    pub head_key: &'static str,
    pub rows: Vec<(String, i64)>,
    pub total: i64,
    pub note_key: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "counsellor_log_counts.html")]
pub struct CountsPage {
    pub l: Layout,
    pub year: i64,
    pub consultations: i64,
    pub contacts: i64,
    pub first_contacts: i64,
    pub follow_ups: i64,
    pub groups: Vec<GroupView>,
    pub can_log: bool,
}

fn choices<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    prefix: &str,
    chosen: &[&str],
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            code: code(*v),
            label_key: format!("{prefix}{}", code(*v)),
            checked: chosen.contains(&code(*v)),
        })
        .collect()
}

impl EntryForm {
    fn new(action: String, input: &ConsultationInput<'_>, errors: FieldErrors) -> EntryForm {
        EntryForm {
            action,
            date: input.date.to_string(),
            topics: choices(Topic::ALL, Topic::code, "counsel-topic-", &[input.topic]),
            behaviours: choices(
                BehaviourKind::ALL,
                BehaviourKind::code,
                "counsel-behaviour-",
                &[input.behaviour],
            ),
            visitors: choices(
                Visitor::ALL,
                Visitor::code,
                "counsel-visitor-",
                &[input.visitor],
            ),
            actions: choices(
                CounselAction::ALL,
                CounselAction::code,
                "counsel-action-",
                &input.actions,
            ),
            contacts: input.contacts.to_string(),
            contact: input.contact.to_string(),
            errors,
        }
    }

    /// A fresh form: today, one contact, a first contact.
    fn blank(today: &str) -> EntryForm {
        let input = ConsultationInput {
            date: today,
            contacts: "1",
            contact: "first",
            ..Default::default()
        };
        EntryForm::new("/vertrouwenspersoon".into(), &input, FieldErrors::default())
    }

    /// Whether no kind of behaviour is chosen ("not applicable").
    pub fn no_behaviour(&self) -> bool {
        !self.behaviours.iter().any(|c| c.checked)
    }
}

fn input_of(form: &Form) -> ConsultationInput<'_> {
    ConsultationInput {
        date: form.get(field::DATE),
        topic: form.get(field::TOPIC),
        behaviour: form.get(field::BEHAVIOUR),
        visitor: form.get(field::VISITOR),
        actions: form.all(field::ACTIONS),
        contacts: form.get(field::CONTACTS),
        contact: form.get(field::CONTACT),
    }
}

fn row(e: &Entry) -> EntryRow {
    EntryRow {
        id: e.id,
        date: e.date.clone(),
        topic_key: format!("counsel-topic-{}", e.topic),
        behaviour_key: e
            .behaviour
            .as_ref()
            .map(|b| format!("counsel-behaviour-{b}")),
        visitor_key: format!("counsel-visitor-{}", e.visitor),
        action_keys: e
            .actions
            .iter()
            .map(|a| format!("counsel-action-{a}"))
            .collect(),
        contacts: e.contacts,
        contact_key: if e.first_contact {
            "counsel-contact-first"
        } else {
            "counsel-contact-follow_up"
        },
    }
}

/// The entries a counsellor may see: their own (the permit's scope).
fn log_permit(s: &SignedIn, action: Action) -> Result<Permit, AppError> {
    let p = &s.user.principal;
    decide(p, action, Resource::CounsellorLog, Target::org(p.org)).map_err(|_| AppError::Forbidden)
}

/// Correcting and deleting one's own entries: the Update permit, whose scope limits it to the asker's own rows (the
/// store checks the author as well).
fn write_permit(s: &SignedIn) -> Result<Scope, AppError> {
    Ok(log_permit(s, Action::Update)?.scope())
}

fn author(s: &SignedIn) -> Author {
    Author {
        person: s.user.principal.person,
        actor: s.user.actor(),
        credential: Credential::Session,
    }
}

fn problems_to_errors(s: &SignedIn, problems: &[(&'static str, Problem)]) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for (f, p) in problems {
        errors.add(s.ctx.lang, f, p);
    }
    errors
}

#[derive(serde::Deserialize, Default)]
pub struct Notice {
    #[serde(default)]
    opgeslagen: Option<String>,
    #[serde(default)]
    gecorrigeerd: Option<String>,
    #[serde(default)]
    verwijderd: Option<String>,
}

async fn log_page(
    state: &AppState,
    s: &SignedIn,
    form: EntryForm,
    notice_key: Option<&'static str>,
) -> Result<LogPage, AppError> {
    let scope = log_permit(s, Action::List)?.scope();
    let p = &s.user.principal;
    let year = counsel::today().year();
    let mut conn = state.store.conn().await?;
    let entries = store::list(&mut conn, p.org, scope, i64::from(year)).await?;
    let l = Layout::new(&s.ctx, "counsel-title");
    Ok(LogPage {
        mine_title: l.tf("counsel-mine", &[("year", &year.to_string())]),
        l,
        form,
        entries: entries.iter().map(row).collect(),
        notice_key,
        can_count: integer_domain::authz::may(p, Action::View, Resource::CounsellorCounts),
    })
}

/// `GET /vertrouwenspersoon`: the form and the counsellor's own entries of
/// this year, most recent first.
pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Query(n): Query<Notice>,
) -> Result<Response, AppError> {
    log_permit(&s, Action::Create)?;
    let notice = if n.opgeslagen.is_some() {
        Some("counsel-saved")
    } else if n.gecorrigeerd.is_some() {
        Some("counsel-corrected")
    } else if n.verwijderd.is_some() {
        Some("counsel-deleted")
    } else {
        None
    };
    let today = counsel::today().to_string();
    render(&log_page(&state, &s, EntryForm::blank(&today), notice).await?)
}

/// `POST /vertrouwenspersoon`: records a consultation.
pub async fn add(
    State(state): State<AppState>,
    s: SignedIn,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    log_permit(&s, Action::Create)?;
    let input = input_of(&form);
    let consultation = match counsel::parse_consultation(&input, counsel::today()) {
        Ok(c) => c,
        Err(problems) => {
            let errors = problems_to_errors(&s, &problems);
            let entry = EntryForm::new("/vertrouwenspersoon".into(), &input, errors);
            let page = log_page(&state, &s, entry, None).await?;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let p = &s.user.principal;
    let mut tx = state.store.begin_write().await?;
    store::add(&mut tx, p.org, &author(&s), &consultation).await?;
    tx.commit().await?;
    Ok(Redirect::to("/vertrouwenspersoon?opgeslagen=1").into_response())
}

/// Loads one of the asker's own entries; anything else is not found (an
/// entry of another counsellor or of another organisation alike).
async fn own_entry(
    state: &AppState,
    s: &SignedIn,
    raw_id: &str,
    scope: Scope,
) -> Result<Entry, AppError> {
    let id: i64 = raw_id.parse().map_err(|_| AppError::NotFound)?;
    let mut conn = state.store.conn().await?;
    store::get(&mut conn, s.user.principal.org, scope, id)
        .await?
        .ok_or(AppError::NotFound)
}

fn edit_page(s: &SignedIn, e: &Entry, form: EntryForm) -> EditPage {
    let correctable = e
        .date
        .parse::<jiff::civil::Date>()
        .map(|d| counsel::correctable(d, counsel::today()))
        .unwrap_or(false);
    let l = Layout::new(&s.ctx, "counsel-edit-title");
    EditPage {
        closed_text: l.tf("counsel-closed", &[("date", &e.date)]),
        l,
        id: e.id,
        version: e.version,
        correctable,
        form,
    }
}

fn form_of(e: &Entry) -> EntryForm {
    let contacts = e.contacts.to_string();
    let input = ConsultationInput {
        date: &e.date,
        topic: &e.topic,
        behaviour: e.behaviour.as_deref().unwrap_or(""),
        visitor: &e.visitor,
        actions: e.actions.iter().map(String::as_str).collect(),
        contacts: &contacts,
        contact: if e.first_contact {
            "first"
        } else {
            "follow_up"
        },
    };
    EntryForm::new(
        format!("/vertrouwenspersoon/{}", e.id),
        &input,
        FieldErrors::default(),
    )
}

/// `GET /vertrouwenspersoon/{id}`: correct or delete one's own entry.
pub async fn edit(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let scope = write_permit(&s)?;
    let e = own_entry(&state, &s, &id, scope).await?;
    render(&edit_page(&s, &e, form_of(&e)))
}

/// `POST /vertrouwenspersoon/{id}`: the author corrects the entry, within
/// its year (compare-and-set on the version shown).
pub async fn correct(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    let scope = write_permit(&s)?;
    let e = own_entry(&state, &s, &id, scope).await?;
    let version: i64 = form
        .get("versie")
        .parse()
        .map_err(|_| AppError::BadRequest)?;
    let input = input_of(&form);
    let today = counsel::today();
    let checked: Result<Consultation, Vec<(&'static str, Problem)>> =
        counsel::parse_consultation(&input, today).and_then(|c| {
            let original = e.date.parse::<jiff::civil::Date>().map_err(|err| {
                vec![(
                    field::DATE,
                    Problem::new("error-date-invalid").with("value", err.to_string()),
                )]
            })?;
            counsel::check_correction(original, c.date, today)
                .map(|()| c)
                .map_err(|problem| vec![problem])
        });
    let again = |errors: FieldErrors| {
        let form = EntryForm::new(format!("/vertrouwenspersoon/{}", e.id), &input, errors);
        edit_page(&s, &e, form)
    };
    let consultation = match checked {
        Ok(c) => c,
        Err(problems) => {
            let page = again(problems_to_errors(&s, &problems));
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let p = &s.user.principal;
    let mut tx = state.store.begin_write().await?;
    match store::correct(&mut tx, p.org, &author(&s), e.id, version, &consultation).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            drop(tx);
            let mut errors = FieldErrors::default();
            errors.add(
                s.ctx.lang,
                field::DATE,
                &Problem::new("counsel-error-changed"),
            );
            return render_status(StatusCode::CONFLICT, &again(errors));
        }
        Err(other) => return Err(other.into()),
    }
    tx.commit().await?;
    Ok(Redirect::to("/vertrouwenspersoon?gecorrigeerd=1").into_response())
}

/// `POST /vertrouwenspersoon/{id}/verwijderen`: the author deletes it.
pub async fn delete(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    let scope = write_permit(&s)?;
    let e = own_entry(&state, &s, &id, scope).await?;
    let version: i64 = form
        .get("versie")
        .parse()
        .map_err(|_| AppError::BadRequest)?;
    let p = &s.user.principal;
    let mut tx = state.store.begin_write().await?;
    match store::delete(&mut tx, p.org, &author(&s), e.id, version).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => return Err(AppError::Conflict),
        Err(other) => return Err(other.into()),
    }
    tx.commit().await?;
    Ok(Redirect::to("/vertrouwenspersoon?verwijderd=1").into_response())
}

#[derive(serde::Deserialize, Default)]
pub struct YearQuery {
    #[serde(default)]
    jaar: Option<String>,
}

fn counts_permit(s: &SignedIn) -> Result<(), AppError> {
    let p = &s.user.principal;
    decide(
        p,
        Action::View,
        Resource::CounsellorCounts,
        Target::org(p.org),
    )
    .map_err(|_| AppError::Forbidden)?;
    Ok(())
}

fn year_of(q: &YearQuery) -> Result<i64, AppError> {
    match q.jaar.as_deref().map(str::trim) {
        None | Some("") => Ok(i64::from(counsel::today().year())),
        Some(raw) => match raw.parse::<i64>() {
            Ok(y) if (2000..=2200).contains(&y) => Ok(y),
            _ => Err(AppError::BadRequest),
        },
    }
}

fn groups(c: &store::Counts) -> Vec<GroupView> {
    let view = |id, caption_key, head_key, prefix: &str, g: &store::Group, note_key| GroupView {
        id,
        caption_key,
        head_key,
        rows: g
            .iter()
            .map(|(code, n)| (format!("{prefix}{code}"), *n))
            .collect(),
        total: g.iter().map(|(_, n)| n).sum(),
        note_key,
    };
    vec![
        view(
            "onderwerp",
            "counsel-counts-by-topic",
            "counsel-topic",
            "counsel-topic-",
            &c.by_topic,
            None,
        ),
        view(
            "soort",
            "counsel-counts-by-behaviour",
            "counsel-behaviour",
            "counsel-behaviour-",
            &c.by_behaviour,
            None,
        ),
        view(
            "wie",
            "counsel-counts-by-visitor",
            "counsel-visitor",
            "counsel-visitor-",
            &c.by_visitor,
            None,
        ),
        view(
            "actie",
            "counsel-counts-by-action",
            "counsel-actions",
            "counsel-action-",
            &c.by_action,
            Some("counsel-counts-action-note"),
        ),
    ]
}

/// `GET /vertrouwenspersoon/cijfers?jaar=YYYY`: the year's counts over all
/// counsellors. Small counts are shown as they are: this page is internal;
/// the annual report suppresses them.
pub async fn counts(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    counts_permit(&s)?;
    let year = year_of(&q)?;
    let p = &s.user.principal;
    let mut conn = state.store.conn().await?;
    let c = store::counts(&mut conn, p.org, year).await?;
    render(&CountsPage {
        l: Layout::new(&s.ctx, "counsel-counts-title"),
        year,
        consultations: c.consultations,
        contacts: c.contacts,
        first_contacts: c.first_contacts,
        follow_ups: c.consultations - c.first_contacts,
        groups: groups(&c),
        can_log: integer_domain::authz::may(p, Action::Create, Resource::CounsellorLog),
    })
}

/// `GET /vertrouwenspersoon/cijfers.csv?jaar=YYYY`: the same counts as a
/// CSV file (group, code, label, count), labels in the visitor's language.
pub async fn counts_csv(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    counts_permit(&s)?;
    let year = year_of(&q)?;
    let p = &s.user.principal;
    let mut conn = state.store.conn().await?;
    let c = store::counts(&mut conn, p.org, year).await?;
    drop(conn);
    let catalog = Catalog::bundled();
    let lang = s.ctx.lang;
    let mut w = integer_domain::export::CsvWriter::new(&["group", "code", "label", "count"]);
    for (code, key, n) in [
        (
            "consultations",
            "counsel-counts-consultations",
            c.consultations,
        ),
        ("contacts", "counsel-counts-contacts", c.contacts),
        ("first", "counsel-contact-first", c.first_contacts),
        (
            "follow_up",
            "counsel-contact-follow_up",
            c.consultations - c.first_contacts,
        ),
    ] {
        w.row(&["total", code, catalog.get(lang, key), &n.to_string()]);
    }
    for (group, list, prefix) in [
        ("topic", &c.by_topic, "counsel-topic-"),
        ("behaviour", &c.by_behaviour, "counsel-behaviour-"),
        ("visitor", &c.by_visitor, "counsel-visitor-"),
        ("action", &c.by_action, "counsel-action-"),
    ] {
        for (code, n) in list {
            let key = format!("{prefix}{code}");
            let label = catalog.get(lang, &key);
            w.row(&[group, code.as_str(), label, &n.to_string()]);
        }
    }
    let body = w.finish();
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"vertrouwenspersonen-{}-{year}.csv\"",
                    s.user.org.slug
                ),
            ),
        ],
        body,
    )
        .into_response())
}
