// A rejection or exception dropped without a trace is the hardest bug to find afterwards: the call
// "just" did nothing. This rule reports the three ways code drops one unseen:
//   try { … } catch { }                       (an empty catch block, even one holding only a comment)
//   promise.catch(() => {})                   (also `() => undefined`, `() => null`, `() => void 0`)
//   promise.then(onFulfilled, () => {})
// Either handle the error, or log it and say in a comment why going on is safe. Where the error
// truly reaches someone else (a queue that settles its tail while the caller awaits the head), say so
// with `// eslint-disable-next-line baton/no-swallowed-error -- why`.

/** A function that ignores what it is given and does nothing. */
function isNoop(node) {
  if (!node || (node.type !== 'ArrowFunctionExpression' && node.type !== 'FunctionExpression')) return false;
  const body = node.body;
  if (body.type === 'BlockStatement') return body.body.length === 0;
  if (body.type === 'Identifier') return body.name === 'undefined';
  if (body.type === 'Literal') return body.value === null;
  return body.type === 'UnaryExpression' && body.operator === 'void' && body.argument.type === 'Literal';
}

function methodName(callee) {
  if (callee.type !== 'MemberExpression' || callee.computed) return undefined;
  return callee.property.type === 'Identifier' ? callee.property.name : undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: { description: 'Reports errors caught and dropped without handling or logging' },
    schema: [],
    messages: {
      emptyCatch: 'An empty catch drops the error unseen: handle it, or log it with a comment on why going on is safe.',
      noopCatch: 'A no-op rejection handler drops the error unseen: handle it, or log it with a comment on why going on is safe.',
    },
  },
  create(context) {
    return {
      CatchClause(node) {
        if (node.body.body.length === 0) context.report({ node, messageId: 'emptyCatch' });
      },
      CallExpression(node) {
        const name = methodName(node.callee);
        const handler = name === 'catch' ? node.arguments[0] : name === 'then' ? node.arguments[1] : undefined;
        if (isNoop(handler)) context.report({ node: handler, messageId: 'noopCatch' });
      },
    };
  },
};
