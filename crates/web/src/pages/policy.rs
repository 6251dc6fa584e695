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

fn kind_page(s: &SignedIn, error: Option<String>) -> MayIKindPage {
    MayIKindPage {
        l: Layout::new(&s.ctx, "mayi-title"),
        kinds: Kind::ALL
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
    /// A code of a choice, or an id on the preset's list (`None`: none of them).
    Text(Option<String>),
}

/// Reads one answer; `Err` carries the translation key of the problem.
fn read_answer(preset: &Preset, q: &Question, raw: &str) -> Result<Answer, &'static str> {
    let raw = raw.trim();
    match q.answer {
        // Empty: not known (the API's absent field); the form always sends one.
        AnswerType::Choice(_) if raw.is_empty() => Ok(Answer::Text(None)),
        AnswerType::Choice(options) => match options.iter().find(|o| **o == raw) {
            Some(code) => Ok(Answer::Text(Some((*code).to_string()))),
            None => Err("mayi-error-choose"),
        },
        AnswerType::Listed => match raw {
            "" => Ok(Answer::Text(None)),
            id if preset.restricted_interest(id).is_some() => {
                Ok(Answer::Text(Some(id.to_string())))
            }
            _ => Err("mayi-error-choose"),
        },
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
            Answer::Text(Some(code)) => json!(code),
            Answer::Number(None) | Answer::Appearance(None) | Answer::Text(None) => continue,
        };
        map.insert(q.field.to_string(), v);
    }
    Value::Object(map)
}

/// The answers given so far, as name and value pairs, exactly as the
/// forms submitted them: the one place that carries answers from screen to
/// screen (the hidden fields of the next question, the "back" link and the
/// filing form). A question answered through the preset's questionnaire
/// is carried as its fields, which is how [`read_answers`] reads it.
pub(crate) fn carried(
    preset: &Preset,
    kind: Kind,
    params: &HashMap<String, String>,
    upto: &[Question],
) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for q in upto {
        if let Some(n) = answered_by_controls(preset, kind, q, params) {
            pairs.extend((1..=n).filter_map(|i| {
                let name = control_field(i);
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

/// The name of the `n`th question of a questionnaire in a form.
pub(crate) fn control_field(n: usize) -> String {
    format!("controle_{n}")
}

/// How many questions the preset's questionnaire for this question has,
/// when the answer is read from it: the preset has one (for example
/// Maastricht's six control questions behind `may_conflict` of a side
/// activity) and the question is not answered directly.
fn answered_by_controls(
    preset: &Preset,
    kind: Kind,
    q: &Question,
    params: &HashMap<String, String>,
) -> Option<usize> {
    preset
        .questionnaire(kind, q.field)
        .filter(|_| !params.contains_key(q.field))
        .map(|qn| qn.questions.len())
}

/// The answer from a questionnaire of `n` questions: `None` while one is
/// unanswered, `Err` for a value that is not yes or no. Any "yes" is yes.
fn from_control_questions(
    n: usize,
    params: &HashMap<String, String>,
) -> Option<Result<bool, &'static str>> {
    let mut any_yes = false;
    for n in 1..=n {
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
    preset: &Preset,
    kind: Kind,
    questions: &[Question],
    params: &HashMap<String, String>,
) -> Reading {
    let mut answers = Vec::new();
    for (i, q) in questions.iter().enumerate() {
        if let Some(n) = answered_by_controls(preset, kind, q, params) {
            match from_control_questions(n, params) {
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
        match read_answer(preset, q, raw) {
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
    let answers = match read_answers(preset, kind, &questions, &params) {
        Reading::Complete(a) => a,
        Reading::Missing(i) => {
            return question_page(
                &s,
                preset,
                kind,
                &questions,
                i,
                &params,
                None,
                StatusCode::OK,
            );
        }
        Reading::Invalid(i, key) => {
            let msg = catalog.get(lang, key).to_string();
            return question_page(
                &s,
                preset,
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
    let filing =
        super::declarations::filing_form(&mut conn, &s, preset, kind, &questions, &params).await?;
    let back = carried(
        preset,
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

#[allow(clippy::too_many_arguments)]
fn question_page(
    s: &SignedIn,
    preset: &Preset,
    kind: Kind,
    questions: &[Question],
    index: usize,
    params: &HashMap<String, String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let q = questions[index];
    let dutch = s.ctx.lang == Lang::Nl;
    let catalog = integer_domain::i18n::Catalog::bundled();
    let hidden = carried(preset, kind, params, &questions[..index]);
    let back = if index == 0 {
        "/mag-dit".to_string()
    } else {
        back_href(
            kind,
            &carried(preset, kind, params, &questions[..index - 1]),
        )
    };
    let questionnaire = preset.questionnaire(kind, q.field);
    let options: Vec<(String, String)> = match q.answer {
        AnswerType::Choice(codes) => codes
            .iter()
            .map(|c| {
                let key = format!("{}-{c}", q.field);
                ((*c).to_string(), catalog.get(s.ctx.lang, &key).to_string())
            })
            .collect(),
        // The employer's own list, then "none of these".
        AnswerType::Listed => preset
            .restricted_interests
            .iter()
            .map(|r| (r.id.clone(), r.text.get(dutch).to_string()))
            .chain([(
                String::new(),
                catalog
                    .get(s.ctx.lang, "restricted_interest-none")
                    .to_string(),
            )])
            .collect(),
        _ => Vec::new(),
    };
    let page = MayIQuestionPage {
        l: Layout::new(&s.ctx, "mayi-title"),
        kind: kind.code(),
        kind_key: format!("kind-{}", kind.code()),
        field: q.field,
        label_key: format!("q-{}", q.field),
        help_key: format!("q-{}-help", q.field),
        answer: match q.answer {
            _ if questionnaire.is_some() => "control",
            AnswerType::Flag => "flag",
            AnswerType::Number => "number",
            AnswerType::Appearance => "appearance",
            AnswerType::Choice(_) | AnswerType::Listed => "choice",
        },
        value: params.get(q.field).cloned().unwrap_or_default(),
        options,
        control_title: questionnaire
            .map(|qn| qn.title.get(dutch).to_string())
            .unwrap_or_default(),
        control_intro: questionnaire
            .map(|qn| qn.intro.get(dutch).to_string())
            .unwrap_or_default(),
        control_sources: questionnaire
            .map(|qn| citation_views(preset, &qn.citations))
            .unwrap_or_default(),
        controls: questionnaire
            .map(|qn| {
                qn.questions
                    .iter()
                    .enumerate()
                    .map(|(i, text)| {
                        let n = i + 1;
                        (
                            n,
                            params.get(&control_field(n)).cloned().unwrap_or_default(),
                            text.get(dutch).to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        number: index + 1,
        total: questions.len(),
        hidden,
        back,
        error,
    };
    render_status(status, &page)
}

fn citation_views(preset: &Preset, citations: &[policy::Citation]) -> Vec<CitationView> {
    citations
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
        // The additions have a box of their own below the explanation.
        explanation: match lang {
            Lang::Nl => decision.rules_explanation.nl.clone(),
            Lang::En => decision.rules_explanation.en.clone(),
        },
        citations: citation_views(preset, &decision.citations),
        additions: decision
            .additions
            .iter()
            .map(|a| a.get(lang == Lang::Nl).to_string())
            .collect(),
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
