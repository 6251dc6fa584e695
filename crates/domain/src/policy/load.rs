//! Loading a preset from TOML: parse, then validate everything the engine
//! relies on, collecting every problem with its location.

use std::collections::HashSet;
use std::ops::Range;

use sha2::{Digest, Sha256};

use super::condition::Condition;
use super::declaration::{FieldType, field_type};
use super::error::{PolicyError, Problem, line_col};
use super::preset::{
    Bilingual, Outcome, Preset, Questionnaire, Reporting, RestrictedInterest, Rule,
};
use super::schema::{
    RawBilingual, RawCitation, RawPreset, RawQuestionnaire, RawRestrictedInterest, RawRule,
};
use super::text::{Citation, Document, Section};
use super::vocab::{Approver, Kind, Obligation, Role, Verdict};

impl Preset {
    /// Parses and validates a preset. `name` is the name the caller knows it
    /// by (usually the file stem); it must equal `[preset].name`.
    pub fn from_toml_str(name: &str, source: &str) -> Result<Preset, PolicyError> {
        load(name, source, Some(super::bundled::baseline()))
    }
}

/// `baseline` is `None` only when loading the baseline itself.
pub(crate) fn load(
    name: &str,
    source: &str,
    baseline: Option<&Preset>,
) -> Result<Preset, PolicyError> {
    let raw: RawPreset = toml::from_str(source).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(source, s.start)).unzip();
        PolicyError {
            preset: name.to_owned(),
            problems: vec![Problem {
                path: String::new(),
                line,
                column,
                reason_en: e.message().trim().to_owned(),
                reason_nl: format!("dit is geen geldige preset-TOML: {}", e.message().trim()),
            }],
        }
    })?;
    let mut check = Checker {
        source,
        problems: Vec::new(),
    };
    let preset = check.preset(name, raw, baseline);
    if check.problems.is_empty() {
        Ok(preset)
    } else {
        Err(PolicyError {
            preset: name.to_owned(),
            problems: check.problems,
        })
    }
}

struct Checker<'s> {
    source: &'s str,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn problem(&mut self, path: impl Into<String>, span: &Range<usize>, en: String, nl: String) {
        let (line, column) = line_col(self.source, span.start);
        self.problems.push(Problem {
            path: path.into(),
            line: Some(line),
            column: Some(column),
            reason_en: en,
            reason_nl: nl,
        });
    }

    fn preset(&mut self, name: &str, raw: RawPreset, baseline: Option<&Preset>) -> Preset {
        let header_span = raw.preset.span();
        let header = raw.preset.into_inner();
        if header.name != name {
            self.problem(
                "preset.name",
                &header_span,
                format!(
                    "the preset is called `{}` but was loaded as `{name}`; make them equal",
                    header.name
                ),
                format!(
                    "de preset heet `{}` maar is geladen als `{name}`; maak ze gelijk",
                    header.name
                ),
            );
        }
        for (field, value) in [
            ("version", &header.version),
            ("organisation", &header.organisation),
        ] {
            if value.trim().is_empty() {
                self.problem(
                    format!("preset.{field}"),
                    &header_span,
                    format!("`{field}` must not be empty"),
                    format!("`{field}` mag niet leeg zijn"),
                );
            }
        }
        let documents = self.documents(&raw.documents);
        let resolver = Resolver {
            own: &documents,
            baseline,
        };
        let reporting = match raw.reporting {
            Some(r) => self.reporting(r, &resolver),
            None if baseline.is_some() => {
                self.problem("reporting", &header_span,
                    "a [reporting] table is missing: say where employees report and who decides on violations".into(),
                    "de tabel [reporting] ontbreekt: zeg waar medewerkers melden en wie over schendingen beslist".into());
                None
            }
            None => None,
        };
        let rules = raw
            .rules
            .into_iter()
            .enumerate()
            .filter_map(|(i, r)| self.rule(i, r, &resolver, baseline.is_none()))
            .collect::<Vec<_>>();
        self.coverage(&rules, &header_span, baseline.is_none());
        let restricted_interests = self.restricted_interests(raw.restricted_interests, &resolver);
        let questionnaires = self.questionnaires(raw.questionnaires, &resolver);
        let digest = hex::encode(Sha256::digest(self.source.as_bytes()));
        Preset {
            name: header.name,
            organisation: header.organisation,
            version: header.version,
            reporting,
            rules,
            restricted_interests,
            questionnaires,
            documents,
            digest,
        }
    }

    /// A two-language text; both must be filled in.
    fn bilingual(&mut self, path: &str, span: &Range<usize>, raw: RawBilingual) -> Bilingual {
        if raw.nl.trim().is_empty() || raw.en.trim().is_empty() {
            self.problem(
                path,
                span,
                "give the text in Dutch (`nl`) and English (`en`)".into(),
                "geef de tekst in het Nederlands (`nl`) en Engels (`en`)".into(),
            );
        }
        Bilingual {
            nl: raw.nl.trim().to_owned(),
            en: raw.en.trim().to_owned(),
        }
    }

    fn restricted_interests(
        &mut self,
        raw: Vec<toml::Spanned<RawRestrictedInterest>>,
        resolver: &Resolver,
    ) -> Vec<RestrictedInterest> {
        let mut ids = HashSet::new();
        let mut out = Vec::new();
        for (i, spanned) in raw.into_iter().enumerate() {
            let span = spanned.span();
            let r = spanned.into_inner();
            let path = format!("restricted_interests[{i}]");
            if r.id.trim().is_empty() || !ids.insert(r.id.clone()) {
                self.problem(
                    format!("{path}.id"),
                    &span,
                    format!(
                        "every entry needs an id of its own; `{}` is empty or used twice",
                        r.id
                    ),
                    format!(
                        "elke regel van de lijst heeft een eigen id nodig; `{}` is leeg of dubbel",
                        r.id
                    ),
                );
            }
            if r.cite.is_empty() {
                self.problem(
                    format!("{path}.cite"),
                    &span,
                    "cite where the employer designated this interest (or Ambtenarenwet 8.1.d)".into(),
                    "verwijs naar waar de werkgever dit belang heeft aangewezen (of Ambtenarenwet 8.1.d)".into(),
                );
            }
            let citations = self.citations(&path, &r.cite, resolver);
            let text = self.bilingual(&path, &span, RawBilingual { nl: r.nl, en: r.en });
            out.push(RestrictedInterest {
                id: r.id.trim().to_owned(),
                text,
                citations,
            });
        }
        out
    }

    fn questionnaires(
        &mut self,
        raw: Vec<toml::Spanned<RawQuestionnaire>>,
        resolver: &Resolver,
    ) -> Vec<Questionnaire> {
        let mut out: Vec<Questionnaire> = Vec::new();
        for (i, spanned) in raw.into_iter().enumerate() {
            let span = spanned.span();
            let q = spanned.into_inner();
            let path = format!("questionnaires[{i}]");
            let kind = Kind::from_code(&q.kind);
            if kind.is_none() {
                self.problem(
                    format!("{path}.kind"),
                    &span,
                    format!("unknown kind `{}`; use one of: {}", q.kind, Kind::codes()),
                    format!(
                        "onbekende soort `{}`; gebruik een van: {}",
                        q.kind,
                        Kind::codes()
                    ),
                );
            }
            let employee = super::questions::EMPLOYEE_FIELDS.contains(&q.field.as_str());
            if field_type(&q.field) != Some(FieldType::Flag) || employee {
                self.problem(
                    format!("{path}.field"),
                    &span,
                    format!(
                        "`{}` is not a yes/no question a questionnaire can answer",
                        q.field
                    ),
                    format!(
                        "`{}` is geen ja/nee-vraag die een vragenlijst kan beantwoorden",
                        q.field
                    ),
                );
            }
            if q.questions.is_empty() {
                self.problem(
                    format!("{path}.questions"),
                    &span,
                    "a questionnaire needs at least one question".into(),
                    "een vragenlijst heeft ten minste één vraag nodig".into(),
                );
            }
            if q.cite.is_empty() {
                self.problem(
                    format!("{path}.cite"),
                    &span,
                    "cite the section the questions come from".into(),
                    "verwijs naar de sectie waar de vragen vandaan komen".into(),
                );
            }
            let citations = self.citations(&path, &q.cite, resolver);
            let title = self.bilingual(&format!("{path}.title"), &span, q.title);
            let intro = self.bilingual(&format!("{path}.intro"), &span, q.intro);
            let questions = q
                .questions
                .into_iter()
                .enumerate()
                .map(|(j, t)| self.bilingual(&format!("{path}.questions[{j}]"), &span, t))
                .collect();
            let Some(kind) = kind else { continue };
            if out.iter().any(|o| o.kind == kind && o.field == q.field) {
                self.problem(
                    path,
                    &span,
                    format!("a second questionnaire for `{}` of `{kind}`", q.field),
                    format!("een tweede vragenlijst voor `{}` bij `{kind}`", q.field),
                );
                continue;
            }
            out.push(Questionnaire {
                kind,
                field: q.field,
                title,
                intro,
                questions,
                citations,
            });
        }
        out
    }

    fn documents(&mut self, raw: &[toml::Spanned<super::schema::RawDocument>]) -> Vec<Document> {
        let mut ids = HashSet::new();
        let mut out = Vec::new();
        for (i, doc) in raw.iter().enumerate() {
            let span = doc.span();
            let doc = doc.get_ref();
            if !ids.insert(doc.id.clone()) {
                self.problem(
                    format!("documents[{i}].id"),
                    &span,
                    format!("document `{}` appears twice", doc.id),
                    format!("document `{}` staat er twee keer in", doc.id),
                );
            }
            let mut section_ids = HashSet::new();
            for (j, s) in doc.sections.iter().enumerate() {
                if !section_ids.insert(s.id.clone()) {
                    self.problem(
                        format!("documents[{i}].sections[{j}].id"),
                        &span,
                        format!("section `{}` appears twice in `{}`", s.id, doc.id),
                        format!("sectie `{}` staat twee keer in `{}`", s.id, doc.id),
                    );
                }
                if s.text.trim().is_empty() || s.title.trim().is_empty() {
                    self.problem(
                        format!("documents[{i}].sections[{j}]"),
                        &span,
                        format!("section `{}` needs a title and a text", s.id),
                        format!("sectie `{}` heeft een titel en een tekst nodig", s.id),
                    );
                }
            }
            out.push(Document {
                id: doc.id.clone(),
                title: doc.title.clone(),
                sections: doc
                    .sections
                    .iter()
                    .map(|s| Section {
                        id: s.id.clone(),
                        title: s.title.clone(),
                        text: s.text.trim().to_owned(),
                    })
                    .collect(),
            });
        }
        out
    }

    fn citations(
        &mut self,
        path: &str,
        raw: &[toml::Spanned<RawCitation>],
        resolver: &Resolver,
    ) -> Vec<Citation> {
        let mut out = Vec::new();
        for (i, spanned) in raw.iter().enumerate() {
            let c = spanned.get_ref();
            if let Err((en, nl)) = resolver.check(c) {
                self.problem(format!("{path}.cite[{i}]"), &spanned.span(), en, nl);
            }
            out.push(Citation {
                document: c.document.clone(),
                section: c.section.clone(),
            });
        }
        out
    }

    fn reporting(
        &mut self,
        raw: toml::Spanned<super::schema::RawReporting>,
        resolver: &Resolver,
    ) -> Option<Reporting> {
        let span = raw.span();
        let r = raw.into_inner();
        let channels = self.roles("reporting.channels", &span, &r.channels);
        let advice = self.roles("reporting.advice", &span, &r.advice);
        let managers = r.managers_report_to.as_ref().and_then(|m| {
            self.roles(
                "reporting.managers_report_to",
                &span,
                std::slice::from_ref(m),
            )
            .pop()
        });
        let decided = self
            .roles(
                "reporting.violations_decided_by",
                &span,
                std::slice::from_ref(&r.violations_decided_by),
            )
            .pop();
        if channels.is_empty() {
            self.problem(
                "reporting.channels",
                &span,
                "name at least one reporting channel".into(),
                "noem ten minste één meldkanaal".into(),
            );
        }
        if r.cite.is_empty() {
            self.problem(
                "reporting.cite",
                &span,
                "cite the section that names the channels".into(),
                "verwijs naar de sectie die de meldkanalen noemt".into(),
            );
        }
        let citations = self.citations("reporting", &r.cite, resolver);
        Some(Reporting {
            channels,
            advice,
            managers_report_to: managers,
            violations_decided_by: decided?,
            citations,
            nl: r.nl,
            en: r.en,
        })
    }

    fn roles(&mut self, path: &str, span: &Range<usize>, raw: &[String]) -> Vec<Role> {
        raw.iter()
            .filter_map(|code| {
                let role = Role::from_code(code);
                if role.is_none() {
                    self.problem(
                        path,
                        span,
                        format!("unknown role `{code}`; use one of: {}", Role::codes()),
                        format!("onbekende rol `{code}`; gebruik een van: {}", Role::codes()),
                    );
                }
                role
            })
            .collect()
    }

    fn rule(
        &mut self,
        i: usize,
        raw: toml::Spanned<RawRule>,
        resolver: &Resolver,
        is_baseline: bool,
    ) -> Option<Rule> {
        let span = raw.span();
        let r = raw.into_inner();
        let path = format!("rules[{i}] (id `{}`)", r.id);
        let bad = |this: &mut Self, field: &str, en: String, nl: String| {
            this.problem(format!("{path}.{field}"), &span, en, nl);
        };
        if r.id.trim().is_empty() {
            bad(
                self,
                "id",
                "every rule needs an id".into(),
                "elke regel heeft een id nodig".into(),
            );
        }
        let kinds: Vec<Kind> = r
            .kinds
            .iter()
            .filter_map(|k| {
                let kind = Kind::from_code(k);
                if kind.is_none() {
                    bad(
                        self,
                        "kinds",
                        format!("unknown kind `{k}`; use one of: {}", Kind::codes()),
                        format!("onbekende soort `{k}`; gebruik een van: {}", Kind::codes()),
                    );
                }
                kind
            })
            .collect();
        if r.kinds.is_empty() {
            bad(
                self,
                "kinds",
                "list the kinds this rule is about".into(),
                "noem de soorten waarover deze regel gaat".into(),
            );
        }
        let when = r
            .when
            .iter()
            .filter_map(|(field, value)| match Condition::from_toml(field, value) {
                Ok(c) => Some(c),
                Err((en, nl)) => {
                    bad(self, &format!("when.{field}"), en, nl);
                    None
                }
            })
            .collect();
        if r.nl.trim().is_empty() || r.en.trim().is_empty() {
            bad(
                self,
                "nl",
                "give the explanation in Dutch (`nl`) and English (`en`)".into(),
                "geef de uitleg in het Nederlands (`nl`) en Engels (`en`)".into(),
            );
        }
        let citations = self.citations(&path, &r.cite, resolver);
        let addition = match r.addition {
            Some(_) if r.silent => {
                bad(
                    self,
                    "addition",
                    "a silent rule cannot be an addition: it decides nothing".into(),
                    "een zwijgende regel kan geen aanvulling zijn: hij beslist niets".into(),
                );
                None
            }
            Some(raw) => Some(self.bilingual(&format!("{path}.addition"), &span, raw)),
            None => None,
        };
        let outcome = if r.silent {
            if is_baseline {
                bad(
                    self,
                    "silent",
                    "the baseline cannot be silent".into(),
                    "de basis kan niet zwijgen".into(),
                );
            }
            if r.verdict.is_some()
                || r.approver.is_some()
                || !r.obligations.is_empty()
                || r.continues
            {
                bad(self, "silent", "a silent rule has no verdict, approver, obligations or continue: the baseline decides".into(),
                    "een zwijgende regel heeft geen verdict, approver, obligations of continue: de basis beslist".into());
            }
            Outcome::Silent
        } else {
            if r.cite.is_empty() {
                bad(
                    self,
                    "cite",
                    "cite at least one section for this rule".into(),
                    "verwijs naar ten minste één sectie".into(),
                );
            }
            let verdict = match r.verdict.as_deref().map(|v| (v, Verdict::from_code(v))) {
                Some((_, Some(v))) => v,
                Some((v, None)) => {
                    bad(
                        self,
                        "verdict",
                        format!("unknown verdict `{v}`; use one of: {}", Verdict::codes()),
                        format!(
                            "onbekend verdict `{v}`; gebruik een van: {}",
                            Verdict::codes()
                        ),
                    );
                    Verdict::NotAllowed
                }
                None => {
                    bad(
                        self,
                        "verdict",
                        "a rule needs a verdict (or `silent = true`)".into(),
                        "een regel heeft een verdict nodig (of `silent = true`)".into(),
                    );
                    Verdict::NotAllowed
                }
            };
            let approver = r.approver.as_deref().and_then(|a| {
                let approver = Approver::from_code(a);
                if approver.is_none() {
                    bad(
                        self,
                        "approver",
                        format!(
                            "unknown approver `{a}`; use one of: {} (or leave it out)",
                            Approver::codes()
                        ),
                        format!(
                            "onbekende beslisser `{a}`; gebruik een van: {} (of laat weg)",
                            Approver::codes()
                        ),
                    );
                }
                approver
            });
            let mut obligations = Vec::new();
            for o in &r.obligations {
                match Obligation::from_code(o) {
                    Some(ob) if obligations.contains(&ob) => bad(
                        self,
                        "obligations",
                        format!("obligation `{o}` is listed twice"),
                        format!("verplichting `{o}` staat er twee keer"),
                    ),
                    Some(ob) => obligations.push(ob),
                    None => bad(
                        self,
                        "obligations",
                        format!(
                            "unknown obligation `{o}`; use one of: {}",
                            Obligation::codes()
                        ),
                        format!(
                            "onbekende verplichting `{o}`; gebruik een van: {}",
                            Obligation::codes()
                        ),
                    ),
                }
            }
            Outcome::Decide {
                verdict,
                approver,
                obligations,
            }
        };
        Some(Rule {
            id: r.id,
            kinds,
            when,
            outcome,
            continues: r.continues,
            citations,
            nl: r.nl,
            en: r.en,
            addition,
        })
    }

    /// Every kind a preset has rules for needs a catch-all, so that the
    /// engine always decides, and no rule may sit unreachable behind one.
    /// A kind the preset has no rule for at all is left to the baseline,
    /// as if it had a silent rule (a preset written before the kind
    /// existed keeps loading); the baseline itself must cover every kind.
    /// Rule ids must be unique.
    fn coverage(&mut self, rules: &[Rule], span: &Range<usize>, is_baseline: bool) {
        let mut ids = HashSet::new();
        for r in rules {
            if !ids.insert(r.id.as_str()) {
                self.problem(
                    format!("rules (id `{}`)", r.id),
                    span,
                    format!("rule id `{}` is used twice", r.id),
                    format!("regel-id `{}` komt twee keer voor", r.id),
                );
            }
        }
        for &kind in Kind::ALL {
            if !is_baseline && !rules.iter().any(|r| r.applies_to(kind)) {
                continue;
            }
            let mut closed = false;
            for r in rules.iter().filter(|r| r.applies_to(kind)) {
                if closed {
                    self.problem(format!("rules (id `{}`)", r.id), span,
                        format!("rule `{}` can never apply to `{kind}`: an earlier rule without `when` already decides it", r.id),
                        format!("regel `{}` kan nooit gelden voor `{kind}`: een eerdere regel zonder `when` beslist al", r.id));
                }
                closed |= r.is_catch_all();
            }
            if !closed {
                self.problem("rules", span,
                    format!("no rule decides `{kind}` in every case: end with a rule for `{kind}` without `when` (or with `silent = true`)"),
                    format!("geen regel beslist `{kind}` in alle gevallen: sluit af met een regel voor `{kind}` zonder `when` (of met `silent = true`)"));
            }
        }
    }
}

struct Resolver<'a> {
    own: &'a [Document],
    baseline: Option<&'a Preset>,
}

impl Resolver<'_> {
    fn check(&self, c: &RawCitation) -> Result<(), (String, String)> {
        let doc = self.own.iter()
            .chain(self.baseline.iter().flat_map(|b| b.documents.iter()))
            .find(|d| d.id == c.document)
            .ok_or_else(|| (
                format!("cited document `{}` is not in this preset's [[documents]] nor in the baseline", c.document),
                format!("het aangehaalde document `{}` staat niet in de [[documents]] van deze preset en niet in de basis", c.document),
            ))?;
        doc.section(&c.section).map(|_| ()).ok_or_else(|| (
            format!("section `{}` does not exist in `{}`; add it under [[documents.sections]] or fix the id", c.section, c.document),
            format!("sectie `{}` bestaat niet in `{}`; voeg haar toe onder [[documents.sections]] of verbeter de id", c.section, c.document),
        ))
    }
}
