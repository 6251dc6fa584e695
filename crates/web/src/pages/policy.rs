//! "Mag dit?" (may I?): a guided check of the organisation's code of
//! conduct, one question per screen, and reading the code itself. The flow
//! keeps its answers in the URL (no server state, works without
//! JavaScript); the answers are the declaration's fields, so that the same
//! answers can later be filed as a declaration.

use super::{render, render_status};
use crate::AppState;
use crate::ctx::SignedIn;
use crate::error::{AppError, encode};
use crate::view::{
    CitationView, CodeDocumentPage, CodeIndexPage, DocumentLink, KindChoice, Layout, MayIKindPage,
    MayIQuestionPage, MayIResultPage, SearchHitView, SectionView,
};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use integer_domain::authz::{Action, Resource, Target, decide};
use integer_domain::i18n::Lang;
use integer_domain::policy::{
    self, AnswerType, Decision, Document, Kind, Preset, Question, declaration_from_value,
};
use integer_store::people;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::Arc;

fn check(s: &SignedIn, resource: Resource) -> Result<(), AppError> {
    let p = &s.user.principal;
    decide(p, Action::View, resource, Target::org(p.org)).map_err(|_| AppError::Forbidden)?;
    Ok(())
}

/// The organisation's preset in force (its own revision, or the bundled one).
async fn preset_of(state: &AppState, s: &SignedIn) -> Result<Arc<Preset>, AppError> {
    let mut conn = state.store.conn().await?;
    let e = crate::preset::effective(&mut conn, s.user.org.id, &s.user.org.preset).await?;
    Ok(e.preset)
}

const KINDS: [Kind; 11] = [
    Kind::Gift,
    Kind::Invitation,
    Kind::Trip,
    Kind::Facility,
    Kind::SideActivity,
    Kind::FinancialInterest,
    Kind::PrivateRelationship,
    Kind::PrivateUse,
    Kind::Expense,
    Kind::HireFormerEmployee,
    Kind::DataLeak,
];

fn kind_page(s: &SignedIn, error: Option<String>) -> MayIKindPage {
    MayIKindPage {
        l: Layout::new(&s.ctx, "mayi-title"),
        kinds: KINDS
            .iter()
            .map(|k| KindChoice {
                code: k.code(),
                label_key: format!("kind-{}", k.code()),
                text_key: format!("kind-{}-text", k.code()),
            })
            .collect(),
        error,
    }
}

pub async fn start(State(state): State<AppState>, s: SignedIn) -> Result<Response, AppError> {
    check(&s, Resource::PolicyCheck)?;
    preset_of(&state, &s).await?;
    render(&kind_page(&s, None))
}

/// An answer as read from the URL.
pub(crate) enum Answer {
    Flag(bool),
    Number(Option<f64>),
    Appearance(Option<String>),
}

/// Reads one answer; `Err` carries the translation key of the problem.
fn read_answer(q: &Question, raw: &str) -> Result<Answer, &'static str> {
    let raw = raw.trim();
    match q.answer {
        AnswerType::Flag => match raw {
            "ja" => Ok(Answer::Flag(true)),
            "nee" => Ok(Answer::Flag(false)),
            _ => Err("mayi-error-choose"),
        },
        AnswerType::Number => {
            if raw.is_empty() {
                return Ok(Answer::Number(None));
            }
            // Dutch decimals use a comma: "12,50".
            match raw.replace(',', ".").parse::<f64>() {
                Ok(n) if (0.0..1e12).contains(&n) => Ok(Answer::Number(Some(n))),
                Ok(_) => Err("mayi-error-negative"),
                Err(_) => Err("mayi-error-number"),
            }
        }
        AnswerType::Appearance => match raw {
            "" => Ok(Answer::Appearance(None)),
            "none" | "minimal" | "present" => Ok(Answer::Appearance(Some(raw.to_string()))),
            _ => Err("mayi-error-choose"),
        },
    }
}

/// Builds the declaration JSON from the answers and the person's record.
fn declaration_json(kind: Kind, answers: &[(Question, Answer)], employee: Value) -> Value {
    let mut map = Map::new();
    map.insert("kind".into(), json!(kind.code()));
    map.insert("employee".into(), employee);
    for (q, a) in answers {
        let v = match a {
            Answer::Flag(b) => json!(b),
            Answer::Number(Some(n)) => json!(n),
            Answer::Appearance(Some(level)) => json!(level),
            Answer::Number(None) | Answer::Appearance(None) => continue,
        };
        map.insert(q.field.to_string(), v);
    }
    Value::Object(map)
}

/// The answers given so far, as name and value pairs, exactly as the
/// forms submitted them: the one place that carries answers from screen to
/// screen (the hidden fields of the next question, the "back" link and the
/// filing form). A question answered through the six control questions is
/// carried as those six fields, which is how [`read_answers`] reads it.
pub(crate) fn carried(
    kind: Kind,
    params: &HashMap<String, String>,
    upto: &[Question],
) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for q in upto {
        if answered_by_controls(kind, q, params) {
            pairs.extend((1..=CONTROL_QUESTIONS).filter_map(|n| {
                let name = control_field(n);
                params.get(&name).map(|v| (name, v.clone()))
            }));
        } else if let Some(v) = params.get(q.field) {
            pairs.push((q.field.to_string(), v.clone()));
        }
    }
    pairs
}

/// What the answers in a request come to.
pub(crate) enum Reading {
    /// Every question is answered.
    Complete(Vec<(Question, Answer)>),
    /// The question at this index has no answer yet.
    Missing(usize),
    /// The answer to the question at this index is wrong (translation key).
    Invalid(usize, &'static str),
}

/// The six control questions of Maastricht chapter 2 ("Handige
/// controlevragen") are the questionnaire behind `may_conflict` for a side
/// activity: any "yes" means it may conflict.
pub(crate) const CONTROL_QUESTIONS: usize = 6;

pub(crate) fn control_field(n: usize) -> String {
    format!("controle_{n}")
}

/// Whether this question is asked as the six control questions.
pub(crate) fn uses_control_questions(kind: Kind, q: &Question) -> bool {
    kind == Kind::SideActivity && q.field == "may_conflict"
}

/// Whether the answer to this question is read from the six control
/// questions: it is asked that way and not answered directly.
fn answered_by_controls(kind: Kind, q: &Question, params: &HashMap<String, String>) -> bool {
    uses_control_questions(kind, q) && !params.contains_key(q.field)
}

/// The answer to `may_conflict` from the control questions: `None` while
/// one is unanswered, `Err` for a value that is not yes or no.
fn from_control_questions(params: &HashMap<String, String>) -> Option<Result<bool, &'static str>> {
    let mut any_yes = false;
    for n in 1..=CONTROL_QUESTIONS {
        match params.get(&control_field(n)).map(|v| v.trim()) {
            None => return None,
            Some("ja") => any_yes = true,
            Some("nee") => {}
            Some(_) => return Some(Err("mayi-error-choose")),
        }
    }
    Some(Ok(any_yes))
}

pub(crate) fn read_answers(
    kind: Kind,
    questions: &[Question],
    params: &HashMap<String, String>,
) -> Reading {
    let mut answers = Vec::new();
    for (i, q) in questions.iter().enumerate() {
        if answered_by_controls(kind, q, params) {
            match from_control_questions(params) {
                None => return Reading::Missing(i),
                Some(Err(key)) => return Reading::Invalid(i, key),
                Some(Ok(b)) => {
                    answers.push((*q, Answer::Flag(b)));
                    continue;
                }
            }
        }
        let Some(raw) = params.get(q.field) else {
            return Reading::Missing(i);
        };
        match read_answer(q, raw) {
            Ok(a) => answers.push((*q, a)),
            Err(key) => return Reading::Invalid(i, key),
        }
    }
    Reading::Complete(answers)
}

/// The declaration JSON and the engine's decision for a person's answers;
/// the person's own facts come from the personnel record.
pub(crate) fn evaluate(
    preset: &Preset,
    kind: Kind,
    answers: &[(Question, Answer)],
    person: &people::Person,
) -> Result<(Value, Decision), AppError> {
    let employee = json!({
        "salary_scale": person.salary_scale,
        "top_official": person.top_official,
        "designated_function": person.designated_function,
    });
    let value = declaration_json(kind, answers, employee);
    let declaration = declaration_from_value(&value).map_err(|e| {
        AppError::Internal(anyhow::anyhow!("declaration from answers: {}", e.code()))
    })?;
    let decision = policy::decide(preset, &declaration);
    Ok((value, decision))
}

pub async fn ask(
    State(state): State<AppState>,
    s: SignedIn,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check(&s, Resource::PolicyCheck)?;
    let preset_arc = preset_of(&state, &s).await?;
    let preset: &Preset = &preset_arc;
    let lang = s.ctx.lang;
    let catalog = integer_domain::i18n::Catalog::bundled();
    let Some(kind) = params.get("soort").and_then(|k| Kind::from_code(k)) else {
        let msg = catalog.get(lang, "mayi-error-kind").to_string();
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &kind_page(&s, Some(msg)));
    };
    let questions = policy::questions(preset, kind);
    let answers = match read_answers(kind, &questions, &params) {
        Reading::Complete(a) => a,
        Reading::Missing(i) => {
            return question_page(&s, kind, &questions, i, &params, None, StatusCode::OK);
        }
        Reading::Invalid(i, key) => {
            let msg = catalog.get(lang, key).to_string();
            return question_page(
                &s,
                kind,
                &questions,
                i,
                &params,
                Some(msg),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let p = &s.user.principal;
    let mut conn = state.store.conn().await?;
    let me = people::get(&mut conn, p.org, p.person)
        .await?
        .ok_or(AppError::NotFound)?;
    let (_, decision) = evaluate(preset, kind, &answers, &me)?;
    let filing = super::declarations::filing_form(&mut conn, &s, kind, &questions, &params).await?;
    let back = carried(
        kind,
        &params,
        &questions[..questions.len().saturating_sub(1)],
    );
    let mut page = result_page(&s, kind, preset, &decision, back_href(kind, &back), filing);
    // In a designated function the side activity will be published once
    // approved or registered (docs/OPEN-DATA.md).
    if kind == Kind::SideActivity
        && let Some(ground) = integer_store::publication::ground_of(&mut conn, p.org, &me).await?
    {
        page.publication_notice = Some(catalog.format(
            lang,
            "mayi-publication-notice",
            &[("ground", super::publication::ground_text(lang, ground))],
        ));
    }
    render(&page)
}

fn back_href(kind: Kind, answers: &[(String, String)]) -> String {
    let mut href = format!("/mag-dit/vragen?soort={}", kind.code());
    for (k, v) in answers {
        href.push_str(&format!("&{k}={}", encode(v)));
    }
    href
}

fn question_page(
    s: &SignedIn,
    kind: Kind,
    questions: &[Question],
    index: usize,
    params: &HashMap<String, String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let q = questions[index];
    let hidden = carried(kind, params, &questions[..index]);
    let back = if index == 0 {
        "/mag-dit".to_string()
    } else {
        back_href(kind, &carried(kind, params, &questions[..index - 1]))
    };
    let page = MayIQuestionPage {
        l: Layout::new(&s.ctx, "mayi-title"),
        kind: kind.code(),
        kind_key: format!("kind-{}", kind.code()),
        field: q.field,
        label_key: format!("q-{}", q.field),
        help_key: format!("q-{}-help", q.field),
        answer: match q.answer {
            _ if uses_control_questions(kind, &q) => "control",
            AnswerType::Flag => "flag",
            AnswerType::Number => "number",
            AnswerType::Appearance => "appearance",
        },
        value: params.get(q.field).cloned().unwrap_or_default(),
        controls: (1..=CONTROL_QUESTIONS)
            .map(|n| {
                (
                    n,
                    params.get(&control_field(n)).cloned().unwrap_or_default(),
                )
            })
            .collect(),
        number: index + 1,
        total: questions.len(),
        hidden,
        back,
        error,
    };
    render_status(status, &page)
}

fn citation_views(preset: &Preset, decision: &Decision) -> Vec<CitationView> {
    decision
        .citations
        .iter()
        .map(|c| {
            let title = preset
                .resolve(c)
                .map(|s| s.title.clone())
                .unwrap_or_default();
            CitationView {
                href: format!("/gedragscode/{}#s-{}", c.document, c.section),
                label: format!("{} {}", c.section, title).trim().to_string(),
                document: document_title(preset, &c.document),
            }
        })
        .collect()
}

fn document_title(preset: &Preset, id: &str) -> String {
    all_documents(preset)
        .find(|d| d.id == id)
        .map(|d| d.title.clone())
        .unwrap_or_else(|| id.to_string())
}

/// The preset's documents, then the statutory baseline it may cite.
fn all_documents(preset: &Preset) -> impl Iterator<Item = &Document> {
    preset
        .documents
        .iter()
        .chain(policy::baseline().documents.iter())
}

pub(crate) fn result_page(
    s: &SignedIn,
    kind: Kind,
    preset: &Preset,
    decision: &Decision,
    back: String,
    filing: crate::view::FilingForm,
) -> MayIResultPage {
    let lang = s.ctx.lang;
    MayIResultPage {
        l: Layout::new(&s.ctx, "mayi-result-title"),
        kind_key: format!("kind-{}", kind.code()),
        verdict: decision.verdict.code(),
        verdict_key: format!("verdict-{}", decision.verdict.code()),
        alert: match decision.verdict.code() {
            "allowed" => "ok",
            "report" => "info",
            "approval_required" => "warning",
            _ => "error",
        },
        approver: decision.approver.map(|a| a.code()).unwrap_or(""),
        approver_key: decision.approver.map(|a| format!("approver-{}", a.code())),
        obligations: decision.obligations.iter().map(|o| o.code()).collect(),
        explanation: match lang {
            Lang::Nl => decision.explanation.nl.clone(),
            Lang::En => decision.explanation.en.clone(),
        },
        citations: citation_views(preset, decision),
        preset_version: decision.preset_version.clone(),
        back,
        filing,
        publication_notice: None,
    }
}

impl MayIResultPage {
    pub fn obligation_key(&self, code: &&str) -> String {
        format!("obligation-{code}")
    }

    pub fn obligation_codes(&self) -> String {
        self.obligations.join(" ")
    }
}

#[derive(serde::Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

pub async fn code_index(
    State(state): State<AppState>,
    s: SignedIn,
    Query(sq): Query<SearchQuery>,
) -> Result<Response, AppError> {
    check(&s, Resource::CodeOfConduct)?;
    let preset_arc = preset_of(&state, &s).await?;
    let preset: &Preset = &preset_arc;
    let query: String = sq.q.chars().take(100).collect();
    let hits = if query.trim().is_empty() {
        Vec::new()
    } else {
        preset
            .search(&query)
            .into_iter()
            .take(50)
            .map(|h| SearchHitView {
                href: format!("/gedragscode/{}#s-{}", h.document, h.section.id),
                label: format!("{} {}", h.section.id, h.section.title)
                    .trim()
                    .to_string(),
                document: document_title(preset, h.document),
                snippet: h.snippet,
            })
            .collect()
    };
    let page = CodeIndexPage {
        l: Layout::new(&s.ctx, "code-title"),
        organisation: preset.organisation.clone(),
        version: preset.version.clone(),
        documents: all_documents(preset)
            .map(|d| DocumentLink {
                href: format!("/gedragscode/{}", d.id),
                title: d.title.clone(),
                sections: d.sections.len(),
            })
            .collect(),
        searched: !query.trim().is_empty(),
        query,
        hits,
    };
    render(&page)
}

pub async fn code_document(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    check(&s, Resource::CodeOfConduct)?;
    let preset_arc = preset_of(&state, &s).await?;
    let preset: &Preset = &preset_arc;
    let doc = all_documents(preset)
        .find(|d| d.id == id)
        .ok_or(AppError::NotFound)?;
    let page = CodeDocumentPage {
        l: Layout::new(&s.ctx, "code-title"),
        title: doc.title.clone(),
        sections: doc
            .sections
            .iter()
            .map(|sec| SectionView {
                anchor: format!("s-{}", sec.id),
                heading: format!("{} {}", sec.id, sec.title).trim().to_string(),
                paragraphs: sec
                    .text
                    .split("\n\n")
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect(),
            })
            .collect(),
    };
    render(&page)
}
