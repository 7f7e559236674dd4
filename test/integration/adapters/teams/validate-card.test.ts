import { describe, expect, it } from 'vitest';
import { validateTeamsMessage } from '../../../../shared/adapters/teams/validate-card';
import { adaptiveCard, textBlock } from '../../../../shared/domain/cards/card-elements';
import { wrapCard } from '../../../../shared/domain/cards/teams-message';

const good = adaptiveCard([textBlock('hello')], [], 'hello');

describe('validateTeamsMessage', () => {
  it('accepts a good card in both modes', () => {
    expect(validateTeamsMessage(wrapCard(good, 'envelope'), 'envelope')).toEqual([]);
    expect(validateTeamsMessage(good, 'card')).toEqual([]);
  });

  it('reports what the adaptivecards library finds against version 1.4', () => {
    const card = {
      ...good,
      body: [
        { type: 'TextBlock', text: 'x', size: 'Huge' },
        { type: 'Table', columns: [], rows: [] },
        { type: 'Container', id: 'dup', items: [] },
        { type: 'Container', id: 'dup', items: [] },
      ],
      actions: [{ type: 'Action.OpenUrl', title: 'No url' }],
    };
    const problems = validateTeamsMessage(card, 'card');
    expect(problems).toEqual(
      expect.arrayContaining([
        'card.body[1]: element type "Table" is not one Teams Workflows render',
        'adaptivecards parse: InvalidPropertyValue: Invalid value "Huge" for property "size".',
        expect.stringMatching(/^adaptivecards parse: UnknownElementType: Unknown element type "Table"/),
        'adaptivecards validation: DuplicateId: Duplicate Id "dup".',
        'adaptivecards validation: PropertyCantBeNull: Property "url" must be set.',
      ]),
    );
  });
});
