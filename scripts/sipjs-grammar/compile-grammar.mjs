#!/usr/bin/env node
/**
 * Rewrites SIP.js 0.21.2's generated grammar (lib/grammar/pegjs/dist/grammar.js) into a faster
 * grammar with the same results. Output goes to patches/ through patch-package (see README.md).
 *
 * Why it is slow: SIP.js ships the grammar in pegjs's "optimize for size" form: ≈230 rules as
 * bytecode strings run by an interpreter, with the constant pool (strings, regexes, expectation
 * objects, action closures) and the decoded bytecode rebuilt *inside* `peg$parse` — on every call,
 * and SIP.js calls it once per header. A NOTIFY cost 1–3 ms of CPU.
 *
 * What this does, without touching the grammar's meaning:
 *  1. hoists: the body of `peg$parse` becomes a factory whose closure holds the tables and the parse
 *     state; `parse` reuses one parser and resets the state per call (a re-entrant call gets its own);
 *  2. compiles: each rule's bytecode becomes a JS function, opcode by opcode, with the interpreter's
 *     stack resolved at compile time into local variables — what pegjs/peggy emit in their default
 *     "speed" mode. Constants and actions are the shipped ones, referenced by the same indices;
 *  3. matches first: a parse runs once without recording expectations (what only an error message
 *     uses, and SIP.js throws error messages away); only a failed parse runs again the stock way, to
 *     throw the very same SyntaxError. Results, successes and errors alike, are the stock ones.
 * The grammar's source is not in the npm package, so this works from the shipped bytecode; upstream,
 * the same result comes from building the grammar without `optimize: "size"` and hoisting the tables.
 *
 * Usage: node scripts/sipjs-grammar/compile-grammar.mjs STOCK_GRAMMAR_JS OUTPUT_JS
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: compile-grammar.mjs STOCK_GRAMMAR_JS OUTPUT_JS');
  process.exit(2);
}

// Accepts the published file or its copy in test/fixtures/sip (header comment, imports via the package).
const PUBLISHED_SHA256 = '66f6eabdcec39bfe90b9dbf3104e42af6169a6f4f5a1773694fce36c0262ab03';
const source = readFileSync(input, 'utf8')
  .replace(/^(\/\/.*\n)+/, '')
  .replace('"sip.js/lib/grammar/name-addr-header.js"', '"../../name-addr-header.js"')
  .replace('"sip.js/lib/grammar/uri.js"', '"../../uri.js"');
if (createHash('sha256').update(source).digest('hex') !== PUBLISHED_SHA256) {
  console.error(`${input} is not SIP.js 0.21.2's published grammar.js; this compiler was checked against that file only`);
  process.exit(1);
}
if (source.includes('peg$buildParser')) {
  console.error(`${input} is already rewritten`);
  process.exit(1);
}
const lines = source.split('\n');

/** Index of the one line equal to `text` at or after `from`; fails loudly if the generator changed. */
function lineIndex(text, from = 0) {
  const found = [];
  for (let i = from; i < lines.length; i += 1) if (lines[i] === text) found.push(i);
  if (found.length !== 1) throw new Error(`expected exactly one line ${JSON.stringify(text)} after ${from}, found ${found.length}`);
  return found[0];
}
function expectLine(index, text) {
  if (lines[index] !== text) throw new Error(`line ${index + 1}: expected ${JSON.stringify(text)}, found ${JSON.stringify(lines[index])}`);
}

// ---- locate the parts of the stock peg$parse -------------------------------------------------
const head = lineIndex('function peg$parse(input, options) {');
expectLine(head + 1, '    options = options !== undefined ? options : {};');
expectLine(head + 2, '    const peg$FAILED = {};');
expectLine(head + 3, '    const peg$source = options.grammarSource;');
const defaultStart = /^    let peg\$startRuleIndex = (\d+);$/.exec(lines[head + 5] ?? '');
if (!defaultStart) throw new Error('unexpected peg$startRuleIndex line');
expectLine(head + 6, '    const peg$consts = [');
const bytecodeStart = lineIndex('    const peg$bytecode = [', head);
const stateStart = lineIndex('    let peg$currPos = 0;', bytecodeStart);
expectLine(stateStart - 1, '    ];');
const stateLines = [
  '    let peg$currPos = 0;',
  '    let peg$savedPos = 0;',
  '    const peg$posDetailsCache = [{ line: 1, column: 1 }];',
  '    let peg$maxFailPos = 0;',
  '    let peg$maxFailExpected = [];',
  '    let peg$silentFails = 0;',
  '    let peg$result;',
];
stateLines.forEach((text, i) => expectLine(stateStart + i, text));
const checkStart = stateStart + stateLines.length;
const helpersStart = lineIndex('    function text() {', checkStart);
const startRuleCheck = lines.slice(checkStart, helpersStart);
if (!startRuleCheck[0]?.startsWith('    if (options.startRule !== undefined) {')) throw new Error('unexpected start-rule check');
const decodeStart = lineIndex('    function peg$decode(s) {', helpersStart);
expectLine(decodeStart + 3, '    function peg$parseRule(index) {');
const dataInit = lineIndex('    options.data = {}; // Object to which header attributes will be assigned during parsing', decodeStart);
expectLine(dataInit - 1, '    }'); // end of the interpreter
const listEnd = dataInit + 3;
expectLine(dataInit + 1, '    function list(head, tail) {');
expectLine(listEnd, '    }');
const parseCall = listEnd + 1;
expectLine(parseCall, '    peg$result = peg$parseRule(peg$startRuleIndex);');
const bodyEnd = lineIndex('}', parseCall);
expectLine(bodyEnd + 1, 'export const parse = peg$parse;');

// ---- decode the shipped bytecode ---------------------------------------------------------------
const bytecodeSource = lines.slice(bytecodeStart + 1, stateStart - 1).join('\n');
const decode = (s) => s.split('').map((ch) => ch.charCodeAt(0) - 32);
/** @type {number[][]} */
const bytecode = new Function('peg$decode', `return [${bytecodeSource}];`)(decode);

// The constant pool's plain values (literals), to specialise literal matches at compile time. The
// action functions are only defined here, never run, so their free names need no meaning.
const constsSource = lines.slice(head + 7, bytecodeStart - 1).join('\n');
const expectation = () => ({});
/** @type {unknown[]} */
const consts = new Function(
  'peg$literalExpectation',
  'peg$classExpectation',
  'peg$otherExpectation',
  'peg$anyExpectation',
  'peg$endExpectation',
  `return [${constsSource}];`,
)(expectation, expectation, expectation, expectation, expectation);
const literal = (index) => {
  const value = consts[index];
  if (typeof value !== 'string') throw new Error(`constant ${index} is not a literal`);
  return value;
};

// ---- compile one rule's bytecode to JS (mirrors the interpreter in the stock file, op by op) -----
const op = {
  PUSH: 0, PUSH_UNDEFINED: 1, PUSH_NULL: 2, PUSH_FAILED: 3, PUSH_EMPTY_ARRAY: 4, PUSH_CURR_POS: 5,
  POP: 6, POP_CURR_POS: 7, POP_N: 8, NIP: 9, APPEND: 10, WRAP: 11, TEXT: 12,
  IF: 13, IF_ERROR: 14, IF_NOT_ERROR: 15, WHILE_NOT_ERROR: 16,
  MATCH_ANY: 17, MATCH_STRING: 18, MATCH_STRING_IC: 19, MATCH_REGEXP: 20,
  ACCEPT_N: 21, ACCEPT_STRING: 22, FAIL: 23, LOAD_SAVED_POS: 24, UPDATE_SAVED_POS: 25,
  CALL: 26, RULE: 27, SILENT_FAILS_ON: 28, SILENT_FAILS_OFF: 29,
};

function compileRule(bc, ruleIndex) {
  let sp = -1;
  let maxSp = -1;
  const s = (i) => {
    if (i < 0) throw new Error(`rule ${ruleIndex}: stack underflow`);
    return `s${i}`;
  };
  const push = (expr) => {
    sp += 1;
    maxSp = Math.max(maxSp, sp);
    return `${s(sp)} = ${expr};`;
  };
  const c = (index) => `peg$consts[${index}]`;

  /** Compiles bc[from, to) and returns its lines; `sp` is updated as the code would leave it. */
  function block(from, to) {
    const out = [];
    let ip = from;
    const condition = (cond, argCount) => {
      const base = argCount + 3;
      const thenLength = bc[ip + base - 2];
      const elseLength = bc[ip + base - 1];
      const baseSp = sp;
      const thenCode = block(ip + base, ip + base + thenLength);
      const thenSp = sp;
      let elseCode = [];
      if (elseLength > 0) {
        sp = baseSp;
        elseCode = block(ip + base + thenLength, ip + base + thenLength + elseLength);
        if (sp !== thenSp) throw new Error(`rule ${ruleIndex}: branches leave different stack heights`);
      }
      out.push(`if (${cond}) {`, ...thenCode.map((l) => `    ${l}`));
      if (elseCode.length) out.push('} else {', ...elseCode.map((l) => `    ${l}`));
      out.push('}');
      ip += base + thenLength + elseLength;
    };
    while (ip < to) {
      switch (bc[ip]) {
        case op.PUSH: out.push(push(c(bc[ip + 1]))); ip += 2; break;
        case op.PUSH_UNDEFINED: out.push(push('undefined')); ip += 1; break;
        case op.PUSH_NULL: out.push(push('null')); ip += 1; break;
        case op.PUSH_FAILED: out.push(push('peg$FAILED')); ip += 1; break;
        case op.PUSH_EMPTY_ARRAY: out.push(push('[]')); ip += 1; break;
        case op.PUSH_CURR_POS: out.push(push('peg$currPos')); ip += 1; break;
        case op.POP: sp -= 1; ip += 1; break;
        case op.POP_CURR_POS: out.push(`peg$currPos = ${s(sp)};`); sp -= 1; ip += 1; break;
        case op.POP_N: sp -= bc[ip + 1]; ip += 2; break;
        case op.NIP: out.push(`${s(sp - 1)} = ${s(sp)};`); sp -= 1; ip += 1; break;
        case op.APPEND: out.push(`${s(sp - 1)}.push(${s(sp)});`); sp -= 1; ip += 1; break;
        case op.WRAP: {
          const n = bc[ip + 1];
          const items = [];
          for (let i = sp - n + 1; i <= sp; i += 1) items.push(s(i));
          sp -= n;
          out.push(push(`[${items.join(', ')}]`));
          ip += 2;
          break;
        }
        case op.TEXT: out.push(`${s(sp)} = input.substring(${s(sp)}, peg$currPos);`); ip += 1; break;
        case op.IF: condition(s(sp), 0); break;
        case op.IF_ERROR: condition(`${s(sp)} === peg$FAILED`, 0); break;
        case op.IF_NOT_ERROR: condition(`${s(sp)} !== peg$FAILED`, 0); break;
        case op.WHILE_NOT_ERROR: {
          const bodyLength = bc[ip + 1];
          const baseSp = sp;
          const body = block(ip + 2, ip + 2 + bodyLength);
          if (sp !== baseSp) throw new Error(`rule ${ruleIndex}: loop body changes the stack height`);
          out.push(`while (${s(sp)} !== peg$FAILED) {`, ...body.map((l) => `    ${l}`), '}');
          ip += 2 + bodyLength;
          break;
        }
        case op.MATCH_ANY: condition('input.length > peg$currPos', 0); break;
        case op.MATCH_STRING: {
          // Same test as `input.substr(pos, lit.length) === lit`, without building the substring.
          const lit = literal(bc[ip + 1]);
          condition(
            lit.length === 1
              ? `input.charCodeAt(peg$currPos) === ${lit.charCodeAt(0)}`
              : `input.startsWith(${c(bc[ip + 1])}, peg$currPos)`,
            1,
          );
          break;
        }
        case op.MATCH_STRING_IC:
          condition(`input.substr(peg$currPos, ${c(bc[ip + 1])}.length).toLowerCase() === ${c(bc[ip + 1])}`, 1);
          break;
        case op.MATCH_REGEXP: condition(`${c(bc[ip + 1])}.test(input.charAt(peg$currPos))`, 1); break;
        case op.ACCEPT_N:
          out.push(push(`input.substr(peg$currPos, ${bc[ip + 1]})`), `peg$currPos += ${bc[ip + 1]};`);
          ip += 2;
          break;
        case op.ACCEPT_STRING:
          out.push(push(c(bc[ip + 1])), `peg$currPos += ${literal(bc[ip + 1]).length};`);
          ip += 2;
          break;
        case op.FAIL:
          out.push(push('peg$FAILED'), `if (peg$silentFails === 0) { peg$fail(${c(bc[ip + 1])}); }`);
          ip += 2;
          break;
        case op.LOAD_SAVED_POS: out.push(`peg$savedPos = ${s(sp - bc[ip + 1])};`); ip += 2; break;
        case op.UPDATE_SAVED_POS: out.push('peg$savedPos = peg$currPos;'); ip += 1; break;
        case op.CALL: {
          const [fn, popCount, paramCount] = [bc[ip + 1], bc[ip + 2], bc[ip + 3]];
          const params = bc.slice(ip + 4, ip + 4 + paramCount).map((p) => s(sp - p));
          sp -= popCount;
          // The interpreter calls actions with `.apply(null, params)`; `.call(null, …)` keeps `this` the same.
          out.push(push(`${c(fn)}.call(null${params.map((p) => `, ${p}`).join('')})`));
          ip += 4 + paramCount;
          break;
        }
        case op.RULE: out.push(push(`peg$rule${bc[ip + 1]}()`)); ip += 2; break;
        case op.SILENT_FAILS_ON: out.push('peg$silentFails++;'); ip += 1; break;
        case op.SILENT_FAILS_OFF: out.push('peg$silentFails--;'); ip += 1; break;
        default: throw new Error(`rule ${ruleIndex}: unknown opcode ${bc[ip]} at ${ip}`);
      }
    }
    if (ip !== to) throw new Error(`rule ${ruleIndex}: block overran its end`);
    return out;
  }

  const body = block(0, bc.length);
  if (sp !== 0) throw new Error(`rule ${ruleIndex}: ends with stack height ${sp + 1}`);
  const locals = Array.from({ length: maxSp + 1 }, (_, i) => s(i)).join(', ');
  return [`function peg$rule${ruleIndex}() {`, `    let ${locals};`, ...body.map((l) => `    ${l}`), '    return s0;', '}'];
}

const compiledRules = bytecode.flatMap((bc, index) => compileRule(bc, index));

// ---- assemble ------------------------------------------------------------------------------------
const indent = (block, depth) => block.map((line) => (line ? `${'    '.repeat(depth)}${line}` : line));

const out = [
  ...lines.slice(0, head),
  '// Patched for Baton by scripts/sipjs-grammar/compile-grammar.mjs: the rules below are the shipped',
  '// bytecode compiled to JS, and the constant pool is built once per parser instead of once per call.',
  '// The parse state lives in the closure and is reset on every call. Same constants and actions.',
  'function peg$buildParser() {',
  '    let input;',
  '    let options;',
  '    const peg$FAILED = {};',
  '    let peg$source;',
  lines[head + 4], // peg$startRuleIndices
  '    let peg$startRuleIndex;',
  ...lines.slice(head + 6, bytecodeStart), // peg$consts
  '    let peg$currPos;',
  '    let peg$savedPos;',
  '    let peg$posDetailsCache;',
  '    let peg$maxFailPos;',
  '    let peg$maxFailExpected;',
  '    let peg$silentFails;',
  '    let peg$result;',
  ...lines.slice(helpersStart, decodeStart), // text(), location(), expectations, peg$fail, errors
  ...indent(compiledRules, 1),
  `    const peg$rules = [${bytecode.map((_, i) => `peg$rule${i}`).join(', ')}];`,
  ...lines.slice(dataInit + 1, listEnd + 1), // list()
  '    // Two passes. The first records no expectations (peg$silentFails starts at 1, so no rule calls',
  '    // peg$fail): only a match is wanted, and SIP.js discards the error of a failed parse anyway.',
  '    // Only when it fails (or throws) does the second, the stock algorithm, run from scratch to',
  '    // build the same SyntaxError. A successful parse is the stock one with no bookkeeping.',
  '    function peg$matchOnly(input1, options1) {',
  '        input = input1;',
  '        options = options1 !== undefined ? options1 : {};',
  '        peg$source = options.grammarSource;',
  `        peg$startRuleIndex = ${defaultStart[1]};`,
  '        peg$currPos = 0;',
  '        peg$savedPos = 0;',
  '        peg$posDetailsCache = [{ line: 1, column: 1 }];',
  '        peg$maxFailPos = 0;',
  '        peg$maxFailExpected = [];',
  '        peg$silentFails = 1;',
  '        peg$result = undefined;',
  '        try {',
  '            if (options.startRule !== undefined) {',
  '                if (!(options.startRule in peg$startRuleIndices)) {',
  '                    return peg$FAILED;',
  '                }',
  '                peg$startRuleIndex = peg$startRuleIndices[options.startRule];',
  '            }',
  '            options.data = {}; // Object to which header attributes will be assigned during parsing',
  '            peg$result = peg$rules[peg$startRuleIndex]();',
  '            return peg$result !== peg$FAILED && peg$currPos === input.length ? peg$result : peg$FAILED;',
  '        }',
  '        catch (e) {',
  '            return peg$FAILED;',
  '        }',
  '        finally {',
  '            input = undefined;',
  '            options = undefined;',
  '            peg$result = undefined;',
  '            peg$posDetailsCache = undefined;',
  '            peg$maxFailExpected = undefined;',
  '        }',
  '    }',
  '    return function peg$parseOnce(input1, options1) {',
  '        const matched = peg$matchOnly(input1, options1);',
  '        if (matched !== peg$FAILED) {',
  '            return matched;',
  '        }',
  '        input = input1;',
  '        options = options1 !== undefined ? options1 : {};',
  '        peg$source = options.grammarSource;',
  `        peg$startRuleIndex = ${defaultStart[1]};`,
  '        peg$currPos = 0;',
  '        peg$savedPos = 0;',
  '        peg$posDetailsCache = [{ line: 1, column: 1 }];',
  '        peg$maxFailPos = 0;',
  '        peg$maxFailExpected = [];',
  '        peg$silentFails = 0;',
  '        peg$result = undefined;',
  '        try {',
  ...indent(startRuleCheck, 2),
  '            options.data = {}; // Object to which header attributes will be assigned during parsing',
  '            peg$result = peg$rules[peg$startRuleIndex]();',
  ...indent(lines.slice(parseCall + 1, bodyEnd), 2),
  '        }',
  '        finally {',
  '            // Hold no reference to the last input or its results between calls.',
  '            input = undefined;',
  '            options = undefined;',
  '            peg$result = undefined;',
  '            peg$posDetailsCache = undefined;',
  '            peg$maxFailExpected = undefined;',
  '        }',
  '    };',
  '}',
  'let peg$sharedParser;',
  'let peg$depth = 0;',
  'function peg$parse(input, options) {',
  '    // An action that itself parses (none does in 0.21.2) must not clobber the outer parse state.',
  '    if (peg$depth > 0) {',
  '        return peg$buildParser()(input, options);',
  '    }',
  '    peg$sharedParser = peg$sharedParser || peg$buildParser();',
  '    peg$depth++;',
  '    try {',
  '        return peg$sharedParser(input, options);',
  '    }',
  '    finally {',
  '        peg$depth--;',
  '    }',
  '}',
  ...lines.slice(bodyEnd + 1),
];

writeFileSync(output, out.join('\n'));
console.log(`wrote ${output}: ${bytecode.length} rules compiled`);
