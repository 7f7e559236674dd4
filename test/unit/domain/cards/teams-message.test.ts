import { describe, expect, it } from 'vitest';
import { adaptiveCard, textBlock } from '../../../../shared/domain/cards/card-elements';
import { checkTeamsMessage, wrapCard } from '../../../../shared/domain/cards/teams-message';

const good = adaptiveCard(
  [textBlock('hello')],
  [{ type: 'Action.OpenUrl', title: 'Open', url: 'https://x.example' }],
  'hello',
);

describe('checkTeamsMessage', () => {
  it('accepts a well-formed envelope and bare card', () => {
    expect(checkTeamsMessage(wrapCard(good, 'envelope'), 'envelope')).toEqual([]);
    expect(checkTeamsMessage(good, 'card')).toEqual([]);
  });

  it('refuses a bare card where the envelope is expected, and the envelope where a card is', () => {
    expect(checkTeamsMessage(good, 'envelope')).toContain('envelope: type must be "message"');
    expect(checkTeamsMessage(wrapCard(good, 'envelope'), 'card')).toContain(
      'card: type must be "AdaptiveCard"',
    );
  });

  it('reports envelope details the template flow relies on', () => {
    const message = { type: 'message', attachments: [{ contentType: 'application/json', content: good }] };
    expect(checkTeamsMessage(message, 'envelope')).toContain(
      'envelope: attachments[0].contentType must be application/vnd.microsoft.card.adaptive',
    );
    const noNull = {
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: good }],
    };
    expect(checkTeamsMessage(noNull, 'envelope')).toContain(
      'envelope: attachments[0].contentUrl must be null',
    );
  });

  it('reports a version other than 1.4 and a missing full width', () => {
    const { msteams: _width, ...narrow } = { ...good, version: '1.5' };
    expect(checkTeamsMessage(narrow, 'card')).toEqual([
      'card: version must be "1.4"',
      'card: msteams.width must be "Full"',
    ]);
  });

  it('walks the tree, ShowCard cards included, for elements and actions Teams Workflows do not support', () => {
    const card = {
      ...good,
      body: [
        {
          type: 'Container',
          items: [
            { type: 'Table', rows: [] },
            { type: 'Image', url: 'https://x' },
          ],
        },
        { type: 'ColumnSet', columns: [{ type: 'Column', items: [{ type: 'Input.Text', id: 'x' }] }] },
      ],
      actions: [
        { type: 'Action.Submit', title: 'Go' },
        {
          type: 'Action.ShowCard',
          title: 'More',
          card: { type: 'AdaptiveCard', body: [], actions: [{ type: 'Action.Execute' }] },
        },
      ],
    };
    expect(checkTeamsMessage(card, 'card')).toEqual([
      'card.body[0].items[0]: element type "Table" is not one Teams Workflows render',
      'card.body[0].items[1]: element type "Image" is not one Teams Workflows render',
      'card.body[1].columns[0].items[0]: element type "Input.Text" is not one Teams Workflows render',
      'card.actions[0]: action type "Action.Submit" is not supported by Teams Workflows',
      'card.actions[1].card.actions[0]: action type "Action.Execute" is not supported by Teams Workflows',
    ]);
  });

  it('reports a message of 28 KB or more', () => {
    const big = adaptiveCard([textBlock('x'.repeat(29 * 1024))], [], 'big');
    expect(checkTeamsMessage(big, 'card')).toEqual([
      expect.stringMatching(/^size: \d+ bytes, Teams accepts less than 28672$/),
    ]);
  });
});
