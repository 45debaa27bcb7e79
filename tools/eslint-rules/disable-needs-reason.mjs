// A rule switched off in place is a decision the next reader has to trust: it must say why, after
// ESLint's own ` -- ` separator:
//   // eslint-disable-next-line no-control-regex -- the decoder rejects exactly these characters
// This reports every `eslint-disable`, `eslint-disable-line` and `eslint-disable-next-line` comment
// (and every `/* eslint rule: off */` configuration comment) that has no reason after ` -- `.
// ESLint's `reportUnusedDisableDirectives` (on in eslint.config.mjs) reports the ones that no longer
// disable anything; together they keep each remaining disable both needed and explained.
//
// A directive that names no rule (or names this one) would also silence this rule's own report on
// it, so that report is placed at the top of the file, which such a directive does not cover unless
// it is itself the file's first token: a reasonless `/* eslint-disable */` opening a file is the one
// form this rule cannot see (none exists in the tree; review catches it).

const DIRECTIVE = /^\s*(eslint-disable(?:-next-line|-line)?|eslint)(?=\s|$)/;
const SELF = 'baton/disable-needs-reason';

/** The rules a directive names (empty: every rule). */
function rulesOf(text, directive) {
  const list = text
    .replace(/\s--\s[\s\S]*$/, '')
    .trim()
    .slice(directive.length);
  return list
    .split(',')
    .map((rule) => rule.trim())
    .filter(Boolean);
}

/** The reason after ESLint's ` -- ` separator, if any (ESLint takes the first `--` preceded by whitespace). */
function reasonOf(text) {
  const at = text.search(/\s--\s/);
  return at < 0
    ? ''
    : text
        .slice(at)
        .replace(/^\s--\s/, '')
        .replace(/\*\/$/, '')
        .trim();
}

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: { description: 'Requires a reason (after ` -- `) on every comment that disables or reconfigures a lint rule' },
    schema: [],
    messages: {
      noReason: "'{{directive}}' (line {{line}}) needs a reason: add ' -- why this rule does not apply here'.",
    },
  },
  create(context) {
    return {
      Program() {
        for (const comment of context.sourceCode.getAllComments()) {
          const match = DIRECTIVE.exec(comment.value);
          if (!match) continue;
          const directive = match[1];
          // `/* eslint rule: off */` is a configuration comment only as a block comment.
          if (directive === 'eslint' && comment.type !== 'Block') continue;
          if (reasonOf(comment.value) !== '') continue;
          const rules = rulesOf(comment.value, directive);
          const coversThisRule =
            directive !== 'eslint' && directive !== 'eslint-disable-next-line' && (rules.length === 0 || rules.includes(SELF));
          const loc = coversThisRule ? { start: { line: 1, column: 0 }, end: { line: 1, column: 0 } } : comment.loc;
          context.report({ loc, messageId: 'noReason', data: { directive, line: String(comment.loc.start.line) } });
        }
      },
    };
  },
};
