//! `explain` of replies: for each, the reply, its causes most likely first, how to confirm
//! each, the fix, and the rules that catch it; for a CLI's output, every attempt and what its
//! login URL / audience pair says.

use crate::catalog::Code;
use crate::explain::matching::{by_description, normalise};
use crate::explain::{Cause, Explanation, KnownReply, Recognition, SubjectKind};

fn rule_label(code: Code) -> String {
    let r = code.rule();
    format!("{} {}", r.code, r.name)
}

fn rules_line(rules: &[Code]) -> String {
    if rules.is_empty() {
        "no rule: this lies outside what an offline check of the assertion, key and certificate can see".to_string()
    } else {
        rules
            .iter()
            .map(|r| rule_label(*r))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn write_causes(out: &mut String, causes: &[&Cause], indent: &str) {
    out.push_str(&format!("{indent}Causes, most likely first:\n"));
    for (i, c) in causes.iter().enumerate() {
        out.push_str(&format!("{indent}{}. {}\n", i + 1, c.cause));
        out.push_str(&format!("{indent}   Confirm: {}\n", c.confirm));
        out.push_str(&format!("{indent}   Fix:     {}\n", c.fix));
        out.push_str(&format!(
            "{indent}   Caught before deployment by: {}\n",
            rules_line(c.rules)
        ));
    }
}

fn reply_title(reply: &KnownReply) -> String {
    format!("{} / {}", reply.error, reply.description)
}

/// The human report. Unrecognised replies are left out here; see [`unrecognised_message`].
pub(super) fn render(e: &Explanation) -> String {
    let mut out = String::new();
    for n in &e.notes {
        out.push_str(n);
        out.push('\n');
    }
    if !e.notes.is_empty() {
        out.push('\n');
    }
    let cli = e.kind == SubjectKind::CliOutput;
    let mut shown: Vec<(&'static KnownReply, usize)> = Vec::new();
    for (n, item) in e.items.iter().enumerate() {
        let indent = if cli { "  " } else { "" };
        let head = if cli {
            format!("Attempt {}: ", n + 1)
        } else {
            String::new()
        };
        match &item.outcome {
            Recognition::Known {
                reply,
                error_differs,
            } => {
                out.push_str(&format!("{head}{}\n", reply_title(reply)));
                if let Some(a) = &item.attempt_note {
                    out.push_str(&format!("{indent}Pair: {}\n", a.note));
                    if !a.rules.is_empty() {
                        out.push_str(&format!(
                            "{indent}      Caught by: {}\n",
                            rules_line(&a.rules)
                        ));
                    }
                }
                if let Some(d) = &item.text.description
                    && normalise(d) != normalise(reply.description)
                    && by_description(d).is_some()
                {
                    out.push_str(&format!(
                        "{indent}Given as '{d}': another spelling of this reply.\n"
                    ));
                }
                if *error_differs && let Some(given) = &item.text.error {
                    out.push_str(&format!(
                        "{indent}Note: Salesforce sends this description with `{}`, not `{given}`; explained as {}.\n",
                        reply.error,
                        reply_title(reply)
                    ));
                }
                if let Some((_, first)) = shown.iter().find(|(r, _)| std::ptr::eq(*r, *reply)) {
                    out.push_str(&format!(
                        "{indent}Same reply as attempt {}: see its causes above.\n\n",
                        first + 1
                    ));
                    continue;
                }
                shown.push((reply, n));
                if let Some(note) = &item.client_note {
                    out.push_str(&format!("{indent}Note: {note}\n"));
                }
                if let Some(note) = reply.flow_note {
                    out.push_str(&format!("{indent}Note: {note}\n"));
                }
                out.push('\n');
                write_causes(&mut out, &item.causes, indent);
                out.push('\n');
            }
            Recognition::ErrorOnly { error, candidates } => {
                out.push_str(&format!(
                    "{head}{error} (no error_description given): Salesforce sends {error} with {} different descriptions; the description tells the causes apart. The candidates, each with its most likely cause:\n\n",
                    candidates.len()
                ));
                for c in candidates {
                    out.push_str(&format!("{indent}- {}\n", c.description));
                    if let Some(first) = c.causes.first() {
                        out.push_str(&format!("{indent}    {}\n", first.cause));
                        out.push_str(&format!(
                            "{indent}    Caught before deployment by: {}\n",
                            rules_line(first.rules)
                        ));
                    }
                }
                out.push_str(&format!(
                    "\n{indent}Run `jwt-preflight explain '{error}: <error_description>'` with the description for every cause and fix.\n\n"
                ));
            }
            Recognition::Unknown { .. } => {
                out.push_str(&format!(
                    "{head}not recognised: {}\n\n",
                    crate::explain::shorten(&item.text.input)
                ));
            }
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    // The replies quote the user's text (descriptions, audiences, login URLs); this output
    // has no styling of its own, so every line can be made terminal-safe whole.
    let mut safe: String = out
        .lines()
        .map(crate::text::escape_controls)
        .collect::<Vec<_>>()
        .join("\n");
    safe.push_str("\n\n");
    safe
}
