// cnipa-kg SPARQL editor: CodeMirror 6 with a Lezer SPARQL grammar (codemirror-lang-sparql), in place of
// the query page's <textarea id="query">. The textarea stays the form's field and query.js's source of
// truth: every edit is copied into it (and an "input" event fired); query.js sets a new text by assigning
// textarea.value and firing "cnipa-kg:set" on it. Without this script the page works with the textarea.
//
// The editor lives in a shadow root: CodeMirror's styles then go into a constructed style sheet
// (adoptedStyleSheets), which the page's Content-Security-Policy (style-src 'self') allows; in the
// document itself they would be an inline <style> element, which it refuses.
//
// Completion: SPARQL keywords and functions; prefixes (those the endpoint declares, from the form's
// data-prefixes, and the query's own PREFIX lines) and, after "prefix:", the terms of that namespace the
// data uses or the ontology defines (the form's data-terms: [iri, kind, label]); ?variables of the query.
// Ctrl+Enter (Cmd+Enter) runs the query; Ctrl+F searches; Tab leaves the editor (no keyboard trap).
// Long lines wrap and the editor grows with its text: it never scrolls inside itself, so there is no
// scrolling region a keyboard could not reach (axe: scrollable-region-focusable), and a phone shows it whole.

import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap, insertCompletionText, startCompletion }
  from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { bracketMatching, HighlightStyle, indentOnInput, LanguageSupport, syntaxHighlighting, syntaxTree }
  from "@codemirror/language";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { EditorState } from "@codemirror/state";
import { drawSelection, EditorView, highlightActiveLine, highlightSpecialChars, keymap, lineNumbers } from "@codemirror/view";
import { styleTags, tags } from "@lezer/highlight";
import { SparqlLanguage } from "codemirror-lang-sparql";

const KEYWORDS = ["SELECT", "CONSTRUCT", "DESCRIBE", "ASK", "WHERE", "FROM", "FROM NAMED", "PREFIX", "BASE", "DISTINCT",
  "REDUCED", "OPTIONAL", "UNION", "MINUS", "GRAPH", "SERVICE", "FILTER", "FILTER NOT EXISTS", "FILTER EXISTS", "BIND",
  "AS", "VALUES", "UNDEF", "GROUP BY", "HAVING", "ORDER BY", "ASC", "DESC", "LIMIT", "OFFSET", "NOT", "EXISTS", "IN",
  "NOT IN", "true", "false", "a"];
const FUNCTIONS = ["STR", "LANG", "LANGMATCHES", "DATATYPE", "BOUND", "IRI", "URI", "BNODE", "RAND", "ABS", "CEIL",
  "FLOOR", "ROUND", "CONCAT", "STRLEN", "UCASE", "LCASE", "ENCODE_FOR_URI", "CONTAINS", "STRSTARTS", "STRENDS",
  "STRBEFORE", "STRAFTER", "YEAR", "MONTH", "DAY", "HOURS", "MINUTES", "SECONDS", "TIMEZONE", "TZ", "NOW", "UUID",
  "STRUUID", "MD5", "SHA1", "SHA256", "SHA384", "SHA512", "COALESCE", "IF", "STRLANG", "STRDT", "sameTerm", "isIRI",
  "isURI", "isBlank", "isLiteral", "isNumeric", "REGEX", "SUBSTR", "REPLACE", "COUNT", "SUM", "MIN", "MAX", "AVG",
  "SAMPLE", "GROUP_CONCAT"];
const NO_COMPLETION = new Set(["String", "Comment", "IriRef", "Langtag"]);  // inside these, typing is free text
const LOCAL = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;  // a local name written as is after "prefix:"

function json(text, fallback) {
  try {
    const value = JSON.parse(text || "null");
    return value && typeof value === "object" ? value : fallback;
  } catch (ignored) {
    return fallback;
  }
}

/** prefix -> namespace: the endpoint's, then the query's own PREFIX lines (which win). */
function prefixesOf(doc, declared) {
  const out = Object.assign({}, declared);
  const re = /PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>\s]*)>/gi;
  let m;
  while ((m = re.exec(doc)) !== null) { out[m[1] || ""] = m[2]; }
  return out;
}

/** Inside a string, an IRI, a comment or a language tag: in the syntax tree, or, for what the grammar
 * cannot parse yet (a string not closed), on the line before the cursor. */
function insideText(state, pos, before) {
  for (let node = syntaxTree(state).resolveInner(pos, -1); node; node = node.parent) {
    if (NO_COMPLETION.has(node.name)) { return true; }
  }
  let quote = null;
  for (let i = 0; i < before.length; i++) {
    const c = before[i];
    if (quote !== null) {
      if (c === "\\") { i++; } else if (c === quote) { quote = null; }
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === "#") {
      return true;
    } else if (c === "<") {
      const iri = /^<[^\s<>"{}|^`\\]*(>)?/.exec(before.slice(i));
      if (iri[1]) { i += iri[0].length - 1; } else if (iri[0].length === before.length - i) { return true; }
    }
  }
  return quote !== null;
}

function completer(declared, terms) {
  const keywordOptions = KEYWORDS.map((k) => ({ label: k, type: "keyword" }))
    .concat(FUNCTIONS.map((f) => ({ label: f, type: "function", apply: f + "(" })));

  function thenComplete(text) {  // insert the prefix and offer its terms at once
    return (view, completion, from, to) => {
      view.dispatch(insertCompletionText(view.state, text, from, to));
      startCompletion(view);
    };
  }

  return (context) => {
    const { state, pos } = context;
    const line = state.doc.lineAt(pos);
    const before = line.text.slice(0, pos - line.from);
    if (insideText(state, pos, before)) { return null; }
    const doc = state.doc.toString();
    const prefixes = prefixesOf(doc, declared);

    const declaring = /PREFIX\s+([A-Za-z][\w.-]*)?$/i.exec(before);  // PREFIX ck| -> ckg: <…>
    if (declaring) {
      const from = pos - (declaring[1] || "").length;
      return { from, validFor: /^[\w.-]*$/,
               options: Object.keys(declared).sort().map((p) => ({ label: p + ":", type: "namespace", detail: declared[p],
                                                                    apply: p + ": <" + declared[p] + ">" })) };
    }
    const variable = context.matchBefore(/[?$][A-Za-z0-9_]*$/);
    if (variable) {
      const seen = new Set();
      const re = /[?$]([A-Za-z0-9_]+)/g;
      let m;
      while ((m = re.exec(doc)) !== null) {
        if (m.index + m[0].length !== pos) { seen.add(m[1]); }  // not the one being typed
      }
      return { from: variable.from + 1, validFor: /^[A-Za-z0-9_]*$/,
               options: Array.from(seen).sort().map((v) => ({ label: v, type: "variable" })) };
    }
    const prefixed = context.matchBefore(/(?:^|[^\w?$<"@:^.-])([A-Za-z][\w.-]*)?:([\w.-]*)$/);
    if (prefixed) {
      const [, prefix = "", local] = /([A-Za-z][\w.-]*)?:([\w.-]*)$/.exec(prefixed.text);
      const ns = prefixes[prefix];
      if (ns === undefined) { return null; }
      const options = [];
      for (const [iri, kind, label] of terms) {
        const name = iri.slice(ns.length);
        if (iri.startsWith(ns) && LOCAL.test(name) && !name.endsWith(".")) {
          options.push({ label: name, type: kind === "class" ? "class" : kind === "property" ? "property" : "constant",
                         detail: label || undefined, info: iri });
        }
      }
      return options.length ? { from: pos - local.length, validFor: /^[\w.-]*$/, options } : null;
    }
    const word = context.matchBefore(/(?:^|[^\w?$<"@:^.-])[A-Za-z_][\w-]*$/);
    if (!word && !context.explicit) { return null; }
    const typed = word ? /[A-Za-z_][\w-]*$/.exec(word.text)[0] : "";
    const namespaces = Object.keys(prefixes).filter((p) => p !== "").sort()
      .map((p) => ({ label: p + ":", type: "namespace", detail: prefixes[p], apply: thenComplete(p + ":"), boost: -1 }));
    return { from: pos - typed.length, validFor: /^[\w-]*$/, options: keywordOptions.concat(namespaces) };
  };
}

// The grammar tags the Iri node round a prefixed name, which its untagged token child then hides:
// tag the tokens themselves (and the keyword "a", which it leaves plain).
const sparql = new LanguageSupport(SparqlLanguage.configure({
  props: [styleTags({ "Pname_ln Pname_ns": tags.url, A_predicate: tags.keyword })],
}));

const highlight = HighlightStyle.define([  // colours of at least 4.5:1 on white and on the active line
  { tag: tags.keyword, color: "#a0111f" },
  { tag: tags.variableName, color: "#0550ae" },
  { tag: tags.string, color: "#0a3069" },
  { tag: [tags.integer, tags.float, tags.bool], color: "#953800" },
  { tag: [tags.url, tags.namespace], color: "#116329" },
  { tag: tags.typeName, color: "#5a32a3" },
  { tag: tags.annotation, color: "#57606a" },
  { tag: tags.comment, color: "#57606a", fontStyle: "italic" },
]);

const theme = EditorView.theme({
  "&": { backgroundColor: "#fff", color: "#1f2328", border: "1px solid #8b98a9", borderRadius: "4px",
         fontSize: ".9rem", margin: ".5rem 0" },
  "&.cm-focused": { outline: "2px solid #0b57b0", outlineOffset: "1px" },
  ".cm-scroller": { fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace", lineHeight: "1.5",
                    minHeight: "16.5em" },
  ".cm-gutters": { backgroundColor: "#f6f8fa", color: "#57606a", borderRight: "1px solid #d0d7de" },
  ".cm-activeLine": { backgroundColor: "#f6f8fa" },
  ".cm-matchingBracket": { backgroundColor: "#d2f4d3", outline: "1px solid #4ac26b" },
  ".cm-nonmatchingBracket": { backgroundColor: "#ffebe9", outline: "1px solid #cf222e" },
  ".cm-tooltip-autocomplete ul li[aria-selected]": { backgroundColor: "#0b57b0", color: "#fff" },
  ".cm-completionDetail": { color: "#57606a", fontStyle: "normal", marginLeft: ".75em" },
  "li[aria-selected] .cm-completionDetail": { color: "#fff" },
});

/** Typing over a selection: replaced here rather than by the browser, whose own editing would keep the
 * styles of the deleted text with an inline style attribute (refused by the page's CSP, a console error). */
const typeOverSelection = EditorView.domEventHandlers({
  beforeinput(event, view) {
    const { state } = view;
    if (event.inputType !== "insertText" || !event.data || view.composing || state.selection.ranges.every((r) => r.empty)) {
      return false;
    }
    event.preventDefault();
    const { from, to } = state.selection.main;
    const insert = () => state.update(state.replaceSelection(event.data), { userEvent: "input.type", scrollIntoView: true });
    if (!state.facet(EditorView.inputHandler).some((handler) => handler(view, from, to, event.data, insert))) {
      view.dispatch(insert());
    }
    return true;
  },
});

function mount(textarea) {
  const form = textarea.form;
  const declared = json(form && form.getAttribute("data-prefixes"), {});
  const terms = json(form && form.getAttribute("data-terms"), []).filter((t) => Array.isArray(t) && typeof t[0] === "string");
  const label = document.querySelector('label[for="' + textarea.id + '"]');
  const host = document.createElement("div");
  host.id = textarea.id + "-editor";
  host.className = "query-editor";
  textarea.parentNode.insertBefore(host, textarea.nextSibling);
  const root = host.attachShadow({ mode: "open" });
  let quiet = false;  // a text set by query.js is not echoed back as user input

  const run = () => {
    if (form && form.requestSubmit) { form.requestSubmit(); }
    return true;
  };
  const view = new EditorView({
    root,
    parent: root,
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        lineNumbers(), highlightSpecialChars(), history(), drawSelection(), indentOnInput(), bracketMatching(),
        EditorView.lineWrapping, closeBrackets(), typeOverSelection, highlightActiveLine(), highlightSelectionMatches(),
        sparql, syntaxHighlighting(highlight), theme,
        autocompletion({ override: [completer(declared, terms)], icons: false }),
        keymap.of([{ key: "Mod-Enter", run }, ...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap,
                   ...completionKeymap]),
        EditorView.contentAttributes.of({ "aria-label": (label ? label.textContent.trim() + " · " : "") + "SPARQL",
                                          "aria-multiline": "true" }),
        EditorView.updateListener.of((update) => {
          if (!update.docChanged) { return; }
          textarea.value = update.state.doc.toString();
          if (!quiet) { textarea.dispatchEvent(new Event("input", { bubbles: true })); }
        }),
      ],
    }),
  });
  textarea.addEventListener("cnipa-kg:set", () => {
    if (textarea.value === view.state.doc.toString()) { return; }
    quiet = true;
    try {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: textarea.value } });
    } finally {
      quiet = false;
    }
  });
  if (label) { label.addEventListener("click", (event) => { event.preventDefault(); view.focus(); }); }
  textarea.hidden = true;
  host.setAttribute("data-ready", "");
}

const textarea = document.getElementById("query");
if (textarea && textarea.tagName === "TEXTAREA") { mount(textarea); }
