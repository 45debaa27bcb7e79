// A rejection or exception dropped without a trace is the hardest bug to find afterwards: the call
// "just" did nothing. This rule looks at every catch handler:
//   try { … } catch (e) { … }
//   promise.catch(handler)
//   promise.then(onFulfilled, handler)
// and reports one that neither uses its error nor carries a comment saying why dropping it is safe.
//
// Uses its error: any reference to the caught value (rethrow, log, pass on, inspect) except
// `void e` or a bare `e;`, which only silence the unused-variable rule. A handler that turns the
// failure into a value (`() => false`, `catch { return; }`) does not use it, so it needs the comment.
//
// The comment (at least three words, not an eslint/ts directive) counts when it is
//   - inside the handler (the catch clause, or the handler function), or
//   - between a try block and its `catch`, or
//   - on the line right above the handler, or on the handler's own lines, or
//   - right above the statement holding the handler (an expression, declaration, return, throw, or
//     the try statement itself), which covers a `.catch` a few lines down a chain.
//
// A handler named rather than written inline is resolved in the same file: a function declaration or
// a `const` holding a function is judged like an inline one (a comment above its declaration counts),
// a `const` holding a call is judged by that call. A handler the file cannot resolve (a parameter, an
// import, a member such as `console.error`, or a handler made by a call such as `logged('closing')`)
// passes only when its name says it handles or logs the error: see HANDLER_NAME. Anything else
// (`noop`, `ignore`, `done`) is reported.
//
// Where the error truly reaches someone else, say so in the comment, or with
// `// eslint-disable-next-line baton/no-swallowed-error -- why`.

/**
 * Names of handlers (or handler factories) that handle or log what they are given: loggers
 * (`log`, `logged`, `loggedAndDropped`, `console.error`, `warn`), settlers and reporters (`reject`,
 * `fail`, `report…`, `handle…`, `record…`, `notify…`, `on…` callbacks such as `onError`), names ending
 * in Error/Failure/Failed/Rejection (`sideEffectFailed`, `showError`), and the lab's `bestEffort`,
 * which writes to Node's debug log.
 */
const HANDLER_NAME =
  /^(log|warn|error|problem|report|reject|fail|handle|record|notify|bestEffort)|^on[A-Z]|(Error|Errors|Failure|Failed|Rejection|Logged)$/;

const DIRECTIVE = /^\s*(eslint|global|globals|exported|@ts-|prettier-ignore|istanbul|c8 |v8 )/;

/** A comment that can carry a reason: not a tool directive, and at least three words. */
function isReason(comment) {
  if (DIRECTIVE.test(comment.value)) return false;
  return (comment.value.match(/\p{L}{2,}/gu) ?? []).length >= 3;
}

const isFunction = (node) =>
  node?.type === 'ArrowFunctionExpression' || node?.type === 'FunctionExpression' || node?.type === 'FunctionDeclaration';

/** The statement whose line-above comment speaks for a handler inside it. */
const SPEAKING_STATEMENTS = new Set(['ExpressionStatement', 'VariableDeclaration', 'ReturnStatement', 'ThrowStatement', 'TryStatement']);

function methodName(callee) {
  if (callee.type !== 'MemberExpression' || callee.computed) return undefined;
  return callee.property.type === 'Identifier' ? callee.property.name : undefined;
}

/** The name a handler expression goes by: `reject`, `console.error` → `error`, `this.logged(…)` → `logged`. */
function nameOf(node) {
  if (node.type === 'Identifier') return node.name;
  if (node.type === 'MemberExpression' && !node.computed && node.property.type === 'Identifier') return node.property.name;
  if (node.type === 'ChainExpression') return nameOf(node.expression);
  return undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: { description: 'Reports errors caught and dropped without using them or a comment saying why that is safe' },
    schema: [],
    messages: {
      droppedCatch:
        'This catch drops the error: use it (rethrow, log, pass it on, inspect it), or say in a comment inside or right above why dropping it is safe.',
      droppedHandler:
        'This rejection handler drops the error: use it (rethrow, log, pass it on, inspect it), or say in a comment inside or right above why dropping it is safe.',
      unknownHandler:
        "'{{name}}' cannot be resolved in this file and its name does not say it handles the error: pass a function that uses the error, or say in a comment right above why dropping it is safe.",
    },
  },
  create(context) {
    const sourceCode = context.sourceCode;
    const comments = sourceCode.getAllComments().filter(isReason);

    const within = (node) => comments.some((c) => c.range[0] >= node.range[0] && c.range[1] <= node.range[1]);
    /** A reason on the line right above `node`, or on its own lines. */
    const besideLines = (node) =>
      comments.some(
        (c) =>
          c.loc.end.line === node.loc.start.line - 1 || (c.loc.start.line >= node.loc.start.line && c.loc.end.line <= node.loc.end.line),
      );
    const rightAbove = (node) => comments.some((c) => c.loc.end.line === node.loc.start.line - 1 && c.range[1] <= node.range[0]);

    function speakingStatement(node) {
      for (let at = node.parent; at; at = at.parent) {
        if (isFunction(at) || at.type === 'Program' || at.type === 'BlockStatement' || at.type === 'ClassBody') return undefined;
        if (/Statement$|Declaration$/.test(at.type)) return SPEAKING_STATEMENTS.has(at.type) ? at : undefined;
      }
      return undefined;
    }

    /** A reason given where the handler is used: beside it or right above its statement. */
    function reasonAt(node) {
      if (besideLines(node)) return true;
      const statement = speakingStatement(node);
      return statement !== undefined && rightAbove(statement);
    }

    /** Whether any of `variables` is referenced for more than `void e` or a bare `e;`. */
    function used(variables) {
      return variables.some((variable) =>
        variable.references.some((ref) => {
          const parent = ref.identifier.parent;
          if (parent.type === 'UnaryExpression' && parent.operator === 'void') return false;
          if (parent.type === 'ExpressionStatement') return false;
          return true;
        }),
      );
    }

    /** A function handler uses its error through its first parameter (or `arguments`). */
    function usesError(fn) {
      const first = fn.params[0];
      if (first) {
        const variables = sourceCode
          .getDeclaredVariables(fn)
          .filter((v) =>
            v.defs.some((d) => d.type === 'Parameter' && d.name.range[0] >= first.range[0] && d.name.range[1] <= first.range[1]),
          );
        if (used(variables)) return true;
      }
      if (fn.type !== 'ArrowFunctionExpression') {
        const args = sourceCode.getScope(fn).set.get('arguments');
        if (args && args.references.length > 0) return true;
      }
      return false;
    }

    function resolve(identifier) {
      for (let scope = sourceCode.getScope(identifier); scope; scope = scope.upper) {
        const ref = scope.references.find((r) => r.identifier === identifier);
        if (ref) return ref.resolved ?? undefined;
        const variable = scope.set.get(identifier.name);
        if (variable) return variable;
      }
      return undefined;
    }

    /**
     * Why a handler drops its error, or undefined when it does not: a function that uses its error
     * or carries a reason passes; a name is resolved in this file or judged by HANDLER_NAME.
     */
    function problemOf(handler, depth = 0) {
      if (!handler || depth > 4) return undefined;
      if (isFunction(handler)) return usesError(handler) || within(handler) ? undefined : { messageId: 'droppedHandler' };
      if (handler.type === 'Identifier') {
        if (handler.name === 'undefined') return undefined;
        const def = resolve(handler)?.defs[0];
        if (def?.type === 'FunctionName' && isFunction(def.node)) {
          const problem = problemOf(def.node, depth + 1);
          if (!problem) return undefined;
          const statement = def.node.parent?.type === 'ExportNamedDeclaration' ? def.node.parent : def.node;
          return rightAbove(statement) ? undefined : problem;
        }
        if (def?.type === 'Variable' && def.parent.kind === 'const' && def.node.init) {
          const init = def.node.init;
          if (isFunction(init) || init.type === 'CallExpression' || init.type === 'Identifier') {
            const problem = problemOf(init, depth + 1);
            if (!problem) return undefined;
            if (rightAbove(def.parent) || besideLines(def.node)) return undefined;
            // A const holding a call or another name may still be named for what it does.
            return !isFunction(init) && HANDLER_NAME.test(handler.name) ? undefined : problem;
          }
        }
        return HANDLER_NAME.test(handler.name) ? undefined : { messageId: 'unknownHandler', data: { name: handler.name } };
      }
      if (handler.type === 'CallExpression') {
        // `fail.bind(this)` is judged as `fail`; a factory such as `logged('closing')` by its own name.
        if (methodName(handler.callee) === 'bind') return problemOf(handler.callee.object, depth + 1);
        const name = nameOf(handler.callee);
        if (name && HANDLER_NAME.test(name)) return undefined;
        return { messageId: 'unknownHandler', data: { name: name ?? sourceCode.getText(handler.callee) } };
      }
      if (handler.type === 'MemberExpression' || handler.type === 'ChainExpression') {
        const name = nameOf(handler);
        if (name && HANDLER_NAME.test(name)) return undefined;
        return { messageId: 'unknownHandler', data: { name: name ?? sourceCode.getText(handler) } };
      }
      // A literal (`undefined`, `null`) is no handler at all; anything else is left to review.
      return undefined;
    }

    return {
      CatchClause(node) {
        if (node.param && used(sourceCode.getDeclaredVariables(node))) return;
        if (within(node)) return;
        const tryStatement = node.parent;
        // A reason between the try block and `catch`.
        if (comments.some((c) => c.range[0] >= tryStatement.block.range[1] && c.range[1] <= node.range[0])) return;
        // A reason right above the catch line (a one-line try) or right above the try statement.
        if (rightAbove(node) || rightAbove(tryStatement)) return;
        context.report({ node, messageId: 'droppedCatch' });
      },
      CallExpression(node) {
        const name = methodName(node.callee);
        const handler = name === 'catch' ? node.arguments[0] : name === 'then' ? node.arguments[1] : undefined;
        if (!handler || handler.type === 'SpreadElement') return;
        const problem = problemOf(handler);
        if (!problem || reasonAt(handler)) return;
        context.report({ node: handler, ...problem });
      },
    };
  },
};
