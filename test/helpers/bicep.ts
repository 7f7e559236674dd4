import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * A textual check of Bicep files, because no Bicep compiler runs here (no network for its CLI). Not a
 * compiler: it tokenizes (comments, strings with `${…}` interpolation, multi-line strings) and checks
 * what a typo or a half-done rename breaks: balanced brackets, terminated strings, top-level lines
 * that start a declaration, every identifier used is declared (param, var, resource, module, loop and
 * lambda variables), every function called exists, no symbol shadows a function the file calls, no
 * duplicate or unused param/var, resource types with an API version, and modules: the file exists,
 * every param passed is declared there, every required one is passed, every `outputs.X` read exists.
 */

export interface BicepToken {
  kind: 'ident' | 'string' | 'number' | 'punct' | 'newline';
  text: string;
  line: number;
  /** Open brackets around the token (`{`, `[`, `(`, and `${` in strings). */
  depth: number;
}

export interface BicepDeclarations {
  /** `param` name → whether it has a default value (required when not). */
  params: Map<string, { optional: boolean; line: number }>;
  vars: Map<string, number>;
  resources: Map<string, number>;
  modules: Map<string, { path: string; line: number }>;
  outputs: Map<string, number>;
  /** Loop and lambda variables (file-wide: a simplification that can only hide problems, not invent them). */
  locals: Set<string>;
}

const keywords = new Set([
  'targetScope',
  'param',
  'var',
  'resource',
  'module',
  'output',
  'metadata',
  'import',
  'type',
  'func',
  'extension',
  'if',
  'for',
  'in',
  'existing',
  'true',
  'false',
  'null',
]);
const declarationKeywords = new Set([
  'targetScope',
  'param',
  'var',
  'resource',
  'module',
  'output',
  'metadata',
  'import',
  'type',
  'func',
  'extension',
]);
const typeNames = new Set(['string', 'int', 'bool', 'object', 'array']);
const decorators = new Set([
  'description',
  'secure',
  'allowed',
  'minLength',
  'maxLength',
  'minValue',
  'maxValue',
  'metadata',
  'batchSize',
  'export',
  'sealed',
  'discriminator',
]);
/** Bicep's built-in functions (learn.microsoft.com/azure/azure-resource-manager/bicep/bicep-functions). */
const functions = new Set([
  'any',
  'array',
  'bool',
  'int',
  'json',
  'string',
  'base64',
  'base64ToJson',
  'base64ToString',
  'concat',
  'contains',
  'dataUri',
  'dataUriToString',
  'empty',
  'endsWith',
  'first',
  'format',
  'guid',
  'indexOf',
  'join',
  'last',
  'lastIndexOf',
  'length',
  'newGuid',
  'padLeft',
  'replace',
  'skip',
  'split',
  'startsWith',
  'substring',
  'take',
  'toLower',
  'toUpper',
  'trim',
  'uniqueString',
  'uri',
  'uriComponent',
  'uriComponentToString',
  'utcNow',
  'dateTimeAdd',
  'dateTimeFromEpoch',
  'dateTimeToEpoch',
  'filter',
  'map',
  'reduce',
  'sort',
  'toObject',
  'flatten',
  'groupBy',
  'mapValues',
  'objectKeys',
  'items',
  'union',
  'intersection',
  'range',
  'min',
  'max',
  'environment',
  'deployment',
  'deployer',
  'subscription',
  'resourceGroup',
  'managementGroup',
  'tenant',
  'subscriptionResourceId',
  'resourceId',
  'tenantResourceId',
  'managementGroupResourceId',
  'extensionResourceId',
  'reference',
  'pickZones',
  'providers',
  'getSecret',
  'loadTextContent',
  'loadFileAsBase64',
  'loadJsonContent',
  'loadYamlContent',
  'tryGet',
  'buildUri',
  'parseUri',
  'cidrSubnet',
  'cidrHost',
  'parseCidr',
  'readEnvironmentVariable',
  'shallowMerge',
  'nameof',
]);
const isFunction = (name: string) => functions.has(name) || /^list[A-Z]\w*$|^list$/.test(name);

/** Tokens of one file, and the problems the tokenizer saw (unbalanced brackets, open strings). */
export function tokenizeBicep(text: string): { tokens: BicepToken[]; problems: string[] } {
  const tokens: BicepToken[] = [];
  const problems: string[] = [];
  // Open brackets; `interp` is a `${` whose `}` continues the string around it.
  const stack: { open: string; line: number }[] = [];
  let i = 0;
  let line = 1;
  const push = (kind: BicepToken['kind'], tokenText: string) =>
    tokens.push({ kind, text: tokenText, line, depth: stack.length });

  /** Scans a '…' string from `i` (after the quote or after an interpolation's `}`). */
  const scanString = (startLine: number) => {
    let value = '';
    while (i < text.length) {
      const ch = text[i] as string;
      if (ch === '\\') {
        value += text.slice(i, i + 2);
        i += 2;
        continue;
      }
      if (ch === '\n') {
        problems.push(`line ${startLine}: string not terminated on its line`);
        return;
      }
      if (ch === "'") {
        i += 1;
        push('string', value);
        return;
      }
      if (ch === '$' && text[i + 1] === '{') {
        push('string', value);
        stack.push({ open: 'interp', line });
        i += 2;
        return;
      }
      value += ch;
      i += 1;
    }
    problems.push(`line ${startLine}: string not terminated`);
  };

  while (i < text.length) {
    const ch = text[i] as string;
    const next = text[i + 1];
    if (ch === '\n') {
      push('newline', '\n');
      line += 1;
      i += 1;
    } else if (ch === ' ' || ch === '\t' || ch === '\r') {
      i += 1;
    } else if (ch === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n') i += 1;
    } else if (ch === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end === -1) {
        problems.push(`line ${line}: comment not closed`);
        break;
      }
      line += text.slice(i, end).split('\n').length - 1;
      i = end + 2;
    } else if (text.startsWith("'''", i)) {
      const end = text.indexOf("'''", i + 3);
      if (end === -1) {
        problems.push(`line ${line}: multi-line string not closed`);
        break;
      }
      push('string', text.slice(i + 3, end));
      line += text.slice(i, end).split('\n').length - 1;
      i = end + 3;
    } else if (ch === "'") {
      i += 1;
      scanString(line);
    } else if (/[A-Za-z_]/.test(ch)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i)) as RegExpExecArray;
      push('ident', match[0]);
      i += match[0].length;
    } else if (/[0-9]/.test(ch)) {
      const match = /^[0-9]+/.exec(text.slice(i)) as RegExpExecArray;
      push('number', match[0]);
      i += match[0].length;
    } else if (ch === '{' || ch === '[' || ch === '(') {
      push('punct', ch);
      stack.push({ open: ch, line });
      i += 1;
    } else if (ch === '}' || ch === ']' || ch === ')') {
      const top = stack.pop();
      const expected = { '}': '{', ']': '[', ')': '(' }[ch];
      i += 1;
      if (top?.open === 'interp' && ch === '}') {
        scanString(line);
      } else if (!top || top.open !== expected) {
        problems.push(
          top
            ? `line ${line}: "${ch}" closes "${top.open === 'interp' ? '${' : top.open}" opened on line ${top.line}`
            : `line ${line}: "${ch}" closes nothing`,
        );
        if (top) stack.push(top);
      } else {
        push('punct', ch);
      }
    } else {
      const two = text.slice(i, i + 2);
      const op = ['=>', '==', '!=', '>=', '<=', '&&', '||', '??', '?.', '!.', '=~', '!~'].includes(two)
        ? two
        : ch;
      push('punct', op);
      i += op.length;
    }
  }
  for (const open of stack) {
    problems.push(`line ${open.line}: "${open.open === 'interp' ? '${' : open.open}" is never closed`);
  }
  return { tokens, problems };
}

/** The previous token that is not a newline. */
function previous(tokens: BicepToken[], index: number): BicepToken | undefined {
  for (let j = index - 1; j >= 0; j -= 1) if (tokens[j]?.kind !== 'newline') return tokens[j];
  return undefined;
}

/** An identifier directly followed by `:` at the start of a line or after `{`/`,` is an object key. */
function isObjectKey(tokens: BicepToken[], index: number): boolean {
  if (tokens[index + 1]?.text !== ':') return false;
  const before = tokens[index - 1];
  return !before || before.kind === 'newline' || before.text === '{' || before.text === ',';
}

/** Whether token `index` starts a line (ignoring decorators is the caller's business). */
function startsLine(tokens: BicepToken[], index: number): boolean {
  const before = tokens[index - 1];
  return !before || before.kind === 'newline';
}

export function declarationsOf(tokens: BicepToken[]): BicepDeclarations {
  const declared: BicepDeclarations = {
    params: new Map(),
    vars: new Map(),
    resources: new Map(),
    modules: new Map(),
    outputs: new Map(),
    locals: new Set(),
  };
  tokens.forEach((token, index) => {
    const name = tokens[index + 1];
    if (token.kind === 'ident' && token.depth === 0 && startsLine(tokens, index) && name?.kind === 'ident') {
      if (token.text === 'param') {
        // Optional when `=` follows on the declaration's line.
        let j = index + 2;
        let optional = false;
        while (j < tokens.length && tokens[j]?.kind !== 'newline') {
          if (tokens[j]?.text === '=') optional = true;
          j += 1;
        }
        declared.params.set(name.text, { optional, line: token.line });
      } else if (token.text === 'var') declared.vars.set(name.text, token.line);
      else if (token.text === 'resource') declared.resources.set(name.text, token.line);
      else if (token.text === 'output') declared.outputs.set(name.text, token.line);
      else if (token.text === 'module') {
        const path = tokens[index + 2];
        declared.modules.set(name.text, { path: path?.kind === 'string' ? path.text : '', line: token.line });
      }
    }
    // for x in … / for (x, i) in …
    if (token.text === 'for' && token.kind === 'ident') {
      let j = index + 1;
      while (j < tokens.length && tokens[j]?.text !== 'in') {
        if (tokens[j]?.kind === 'ident') declared.locals.add(tokens[j]?.text as string);
        j += 1;
      }
    }
    // x => … / (x, y) => …
    if (token.text === '=>') {
      const before = tokens[index - 1];
      if (before?.kind === 'ident') declared.locals.add(before.text);
      else if (before?.text === ')') {
        let j = index - 2;
        while (j >= 0 && tokens[j]?.text !== '(') {
          if (tokens[j]?.kind === 'ident') declared.locals.add(tokens[j]?.text as string);
          j -= 1;
        }
      }
    }
  });
  return declared;
}

export interface BicepReference {
  name: string;
  line: number;
  /** `name(…)`: a function call. */
  call: boolean;
}

/** Identifiers used as values: not keys, not property names, not the names being declared. */
export function referencesOf(tokens: BicepToken[]): BicepReference[] {
  const references: BicepReference[] = [];
  tokens.forEach((token, index) => {
    if (token.kind !== 'ident' || keywords.has(token.text)) return;
    const before = previous(tokens, index);
    if (before && ['.', '?.', '!.', '@'].includes(before.text)) return;
    if (isObjectKey(tokens, index)) return;
    // The name after a declaration keyword, and the type after `param x` / `output x`.
    if (before?.kind === 'ident' && declarationKeywords.has(before.text) && before.depth === 0) return;
    const twoBefore = before ? previous(tokens, tokens.indexOf(before)) : undefined;
    if (
      typeNames.has(token.text) &&
      twoBefore?.kind === 'ident' &&
      ['param', 'output'].includes(twoBefore.text)
    ) {
      return;
    }
    if (token.text === 'sys' || token.text === 'az') return;
    references.push({ name: token.text, line: token.line, call: tokens[index + 1]?.text === '(' });
  });
  return references;
}

/** What is wrong with one Bicep file, each problem naming the file and line. */
export function checkBicepFile(path: string, text = readFileSync(path, 'utf8')): string[] {
  const label = path.replace(/^.*?(infra\/)/, '$1');
  const { tokens, problems: syntax } = tokenizeBicep(text);
  const problems = syntax.map((problem) => `${label}: ${problem}`);
  const declared = declarationsOf(tokens);
  const symbols = new Set([
    ...declared.params.keys(),
    ...declared.vars.keys(),
    ...declared.resources.keys(),
    ...declared.modules.keys(),
  ]);
  const references = referencesOf(tokens);

  // Duplicates: params, vars, resources and modules share one namespace.
  const seen = new Map<string, number>();
  for (const [name, line] of [
    ...[...declared.params].map(([name, param]) => [name, param.line] as const),
    ...declared.vars,
    ...declared.resources,
    ...[...declared.modules].map(([name, module]) => [name, module.line] as const),
  ]) {
    const first = seen.get(name);
    if (first !== undefined)
      problems.push(`${label}: line ${line}: ${name} is already declared on line ${first}`);
    else seen.set(name, line);
  }

  tokens.forEach((token, index) => {
    if (token.kind === 'ident' && previous(tokens, index)?.text === '@' && !decorators.has(token.text)) {
      problems.push(`${label}: line ${token.line}: unknown decorator @${token.text}`);
    }
  });

  for (const reference of references) {
    if (reference.call) {
      if (symbols.has(reference.name) && isFunction(reference.name)) {
        problems.push(
          `${label}: line ${reference.line}: ${reference.name}() is shadowed by the symbol ${reference.name}; rename the symbol`,
        );
      } else if (!isFunction(reference.name)) {
        problems.push(`${label}: line ${reference.line}: unknown function ${reference.name}()`);
      }
    } else if (!symbols.has(reference.name) && !declared.locals.has(reference.name)) {
      problems.push(`${label}: line ${reference.line}: ${reference.name} is not declared`);
    }
  }

  const used = new Set(references.filter((reference) => !reference.call).map((reference) => reference.name));
  for (const [name, param] of declared.params) {
    if (!used.has(name)) problems.push(`${label}: line ${param.line}: param ${name} is never used`);
  }
  for (const [name, line] of declared.vars) {
    if (!used.has(name)) problems.push(`${label}: line ${line}: var ${name} is never used`);
  }

  // Top-level lines start a declaration, a decorator, or continue an expression.
  tokens.forEach((token, index) => {
    if (token.depth !== 0 || token.kind === 'newline' || !startsLine(tokens, index)) return;
    const continuation = ['?', ':', '&&', '||', '??', '@', '}', ']', ')'].includes(token.text);
    if (!continuation && !(token.kind === 'ident' && declarationKeywords.has(token.text))) {
      problems.push(`${label}: line ${token.line}: "${token.text}" does not start a declaration`);
    }
  });

  // Resource types with an API version: 'Microsoft.Web/sites@2024-04-01'.
  tokens.forEach((token, index) => {
    if (token.text !== 'resource' || token.depth !== 0 || !startsLine(tokens, index)) return;
    const type = tokens[index + 2];
    if (
      type?.kind !== 'string' ||
      !/^[A-Za-z]+\.[A-Za-z]+(\/[A-Za-z]+)+@\d{4}-\d{2}-\d{2}(-preview)?$/.test(type.text)
    ) {
      problems.push(
        `${label}: line ${token.line}: resource type "${type?.text ?? ''}" lacks a provider/type@api-version`,
      );
    }
  });

  problems.push(...moduleProblems(path, label, tokens, declared));
  return problems;
}

/** Module calls against the module files: params passed and required, outputs read. */
function moduleProblems(
  path: string,
  label: string,
  tokens: BicepToken[],
  declared: BicepDeclarations,
): string[] {
  const problems: string[] = [];
  const targets = new Map<string, BicepDeclarations>();
  for (const [name, module] of declared.modules) {
    const target = join(dirname(path), module.path);
    if (!existsSync(target)) {
      problems.push(
        `${label}: line ${module.line}: module ${name} points at ${module.path}, which does not exist`,
      );
      continue;
    }
    const targetDeclared = declarationsOf(tokenizeBicep(readFileSync(target, 'utf8')).tokens);
    targets.set(name, targetDeclared);
    const passed = moduleParams(tokens, module.line);
    for (const param of passed) {
      if (!targetDeclared.params.has(param)) {
        problems.push(
          `${label}: line ${module.line}: module ${name} passes ${param}, which ${module.path} does not declare`,
        );
      }
    }
    for (const [param, info] of targetDeclared.params) {
      if (!info.optional && !passed.includes(param)) {
        problems.push(
          `${label}: line ${module.line}: module ${name} does not pass ${param}, which ${module.path} requires`,
        );
      }
    }
  }
  // name.outputs.x
  tokens.forEach((token, index) => {
    const target = targets.get(token.text);
    if (!target || tokens[index + 1]?.text !== '.' || tokens[index + 2]?.text !== 'outputs') return;
    const output = tokens[index + 4];
    if (tokens[index + 3]?.text === '.' && output && !target.outputs.has(output.text)) {
      problems.push(
        `${label}: line ${token.line}: ${token.text}.outputs.${output.text} is not an output of ${declared.modules.get(token.text)?.path}`,
      );
    }
  });
  return problems;
}

/** The keys of the `params: { … }` object of the module declared on `line`. */
function moduleParams(tokens: BicepToken[], line: number): string[] {
  const start = tokens.findIndex(
    (token) => token.text === 'module' && token.line === line && token.depth === 0,
  );
  let index = start + 1;
  // The declaration ends where the next top-level line starts.
  while (index < tokens.length) {
    const token = tokens[index] as BicepToken;
    if (
      token.depth === 0 &&
      token.kind === 'ident' &&
      startsLine(tokens, index) &&
      declarationKeywords.has(token.text)
    ) {
      break;
    }
    if (token.text === 'params' && isObjectKey(tokens, index) && tokens[index + 2]?.text === '{') {
      const depth = (tokens[index + 2] as BicepToken).depth + 1;
      const keys: string[] = [];
      for (let j = index + 3; j < tokens.length && !((tokens[j] as BicepToken).depth < depth); j += 1) {
        if (
          (tokens[j] as BicepToken).depth === depth &&
          tokens[j]?.kind === 'ident' &&
          isObjectKey(tokens, j)
        ) {
          keys.push(tokens[j]?.text as string);
        }
      }
      return keys;
    }
    index += 1;
  }
  return [];
}
