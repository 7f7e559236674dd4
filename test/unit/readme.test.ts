import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from '../../shared/cli/config-command';
import { configReferenceMarkdown } from '../../shared/cli/config-reference';
import { buildProgram } from '../../shared/cli/main';
import { eventGridKeySetting } from '../../shared/local-host/event-grid-endpoint';
import { repoRoot } from '../helpers/fixtures';

/** README's tables are the user's reference: these tests fail when code and README drift apart. */
const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');
const readme = read('README.md');

/** The text of one `## title` section. */
function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start === -1) throw new Error(`README has no "## ${title}" section`);
  const end = readme.indexOf('\n## ', start + 4);
  return readme.slice(start, end === -1 ? undefined : end);
}

/** The first cell of every row of the Markdown tables in `text`. */
function firstCells(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => /^\|\s*`/.test(line))
    .map((line) => line.split('|')[1]?.trim() ?? '');
}

describe('README', () => {
  it('lists every registered function in the functions table', () => {
    const registered = readdirSync(join(repoRoot, 'functions'))
      .filter((file) => file.endsWith('.ts'))
      .flatMap((file) => [
        ...read(join('functions', file)).matchAll(/app\.(?:http|storageQueue|timer|eventGrid)\(\s*'(\w+)'/g),
      ])
      .map((match) => match[1] ?? '');
    expect(registered.length).toBeGreaterThan(8);
    const rows = firstCells(section('Functions'));
    for (const name of registered) expect(rows, name).toContain(`\`${name}\``);
    // And no row for a function that no longer exists.
    for (const row of rows.filter((cell) => /^`[a-z]\w*`$/.test(cell))) {
      expect(registered, row).toContain(row.slice(1, -1));
    }
  });

  it('documents every app setting the code reads', () => {
    const names = [...read('shared/config/app-settings.ts').matchAll(/env\.([A-Za-z_][A-Za-z0-9_]*)/g)].map(
      (match) => match[1] ?? '',
    );
    const rows = firstCells(section('App settings')).join(' ');
    for (const name of [...names, 'AzureWebJobsStorage', eventGridKeySetting]) {
      expect(rows, name).toContain(`\`${name}\``);
    }
  });

  it('lists every command and subcommand in the command-line table, and no other', () => {
    const silent = { stdout: () => undefined, stderr: () => undefined, cwd: repoRoot, env: {} };
    const paths = (command: Command, prefix = ''): string[] =>
      command.commands.flatMap((sub) =>
        sub.commands.length > 0 ? paths(sub, `${prefix}${sub.name()} `) : [`${prefix}${sub.name()}`],
      );
    const known = paths(buildProgram(silent));
    expect(known).toEqual(expect.arrayContaining(['simulate', 'config check', 'retention apply']));
    // A row's command is its words before the first option or placeholder: `retention plan [--registry NAME]`.
    const rows = firstCells(section('Command line')).map((cell) => {
      const words = cell.replace(/`/g, '').split(' ');
      const end = words.findIndex((word) => !/^[a-z]+$/.test(word));
      return words.slice(0, end === -1 ? undefined : end).join(' ');
    });
    for (const path of known) expect(rows, path).toContain(path);
    for (const row of rows) expect(known, `README row "${row}"`).toContain(row);
  });

  it('holds the configuration reference that `config reference` prints, key for key', () => {
    const start = readme.indexOf('<!-- config-reference:start -->');
    const end = readme.indexOf('<!-- config-reference:end -->');
    expect(start, 'README lacks the config-reference markers').toBeGreaterThan(-1);
    const embedded = readme.slice(readme.indexOf('\n', start) + 1, end).trim();
    // Prettier pads table cells; compare the cells, not the padding.
    const cells = (table: string) =>
      table
        .split('\n')
        .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
        .map((line) => line.split(/(?<!\\)\|/).map((cell) => cell.trim()));
    expect(cells(embedded)).toEqual(cells(configReferenceMarkdown(configJsonSchema())));
  });
});
