import { runInNewContext, Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { renderCardHtml } from '../../../../shared/adapters/teams/render-card-html';
import { buildTeamsMessage } from '../../../../shared/domain/cards/build-teams-message';
import { adaptiveCard, textBlock } from '../../../../shared/domain/cards/card-elements';
import { cardOf } from '../../../../shared/domain/cards/teams-message';
import { loadCardFixture } from '../../../helpers/card-fixtures';

function scripts(html: string): string[] {
  return [...html.matchAll(/<script(?: [^>]*)?>([\s\S]*?)<\/script>/g)].map((match) => match[1] ?? '');
}

describe('renderCardHtml', () => {
  it('inlines the adaptivecards bundle, the card JSON and the render script', () => {
    const message = buildTeamsMessage(loadCardFixture('pinned'), { mode: 'envelope' });
    const html = renderCardHtml(message, { title: 'pinned card' });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<title>pinned card</title>');
    expect(html).not.toMatch(/<script[^>]+src=/);
    const [bundle, json, page] = scripts(html);
    expect(bundle).toContain('AdaptiveCards');
    expect(JSON.parse(json ?? '')).toEqual(cardOf(message));
    expect(page).toContain('onProcessMarkdown');
  });

  it('renders a bare card the same as its envelope', () => {
    const message = buildTeamsMessage(loadCardFixture('pushed'), { mode: 'envelope' });
    expect(renderCardHtml(cardOf(message))).toBe(renderCardHtml(message));
  });

  it('keeps every inline script intact and syntactically valid, whatever the card text holds', () => {
    const hostile = adaptiveCard(
      [textBlock('</script><script>alert(1)</script><!-- \u2028')],
      [],
      '</title>',
    );
    const html = renderCardHtml(hostile, { title: '</title><script>alert(2)</script>' });
    const found = scripts(html);
    expect(found).toHaveLength(3);
    expect(() => new Script(found[0] ?? '')).not.toThrow();
    expect(() => new Script(found[2] ?? '')).not.toThrow();
    expect(JSON.parse(found[1] ?? '')).toEqual(hostile);
    expect(html).toContain('<title>&#60;/title&#62;&#60;script&#62;alert(2)&#60;/script&#62;</title>');
  });

  it('parses and renders the card with a markdown hook that escapes HTML and honours backslash escapes', () => {
    const card = adaptiveCard([textBlock('hi')], [], 'hi');
    const page = scripts(renderCardHtml(card))[2] ?? '';
    const elements: Record<string, { textContent: string; appendChild?: (node: unknown) => void }> = {
      'card-json': { textContent: JSON.stringify(card) },
      card: { textContent: '', appendChild: (node) => rendered.push(node) },
      problems: { textContent: '' },
    };
    const rendered: unknown[] = [];
    const parsed: unknown[] = [];
    class FakeCard {
      static onProcessMarkdown: (text: string, result: { outputHtml?: string; didProcess?: boolean }) => void;
      hostConfig: unknown;
      parse(json: unknown) {
        parsed.push(json);
      }
      render() {
        return 'DIV';
      }
      validateProperties() {
        return { validationEvents: [] };
      }
    }
    const AdaptiveCards = { AdaptiveCard: FakeCard, HostConfig: class {}, OpenUrlAction: class {} };
    runInNewContext(page, {
      window: { AdaptiveCards, open: () => undefined },
      document: { getElementById: (id: string) => elements[id] },
    });
    expect(elements['problems']?.textContent).toBe('');
    expect(parsed).toEqual([card]);
    expect(rendered).toEqual(['DIV']);
    const markdown = (text: string) => {
      const result: { outputHtml?: string; didProcess?: boolean } = {};
      FakeCard.onProcessMarkdown(text, result);
      return result.outputHtml;
    };
    expect(markdown('**Pinned** _now_ [run](https://x.example/r)')).toBe(
      '<p style="margin: 0"><strong>Pinned</strong> <em>now</em> <a href="https://x.example/r" target="_blank" rel="noopener">run</a></p>',
    );
    expect(markdown('team/\\*bold\\* my_service \\<at\\>')).toBe(
      '<p style="margin: 0">team/*bold* my_service &lt;at&gt;</p>',
    );
    expect(markdown('<img src=x onerror=alert(1)>')).toBe(
      '<p style="margin: 0">&lt;img src=x onerror=alert(1)&gt;</p>',
    );
    expect(markdown('- one\n- two')).toBe('<ul><li>one</li><li>two</li></ul>');
  });
});
