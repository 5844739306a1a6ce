import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DataTable } from '../../src/web/src/components/data-table.js';
import { TextField } from '../../src/web/src/components/field.js';

describe('TextField', () => {
  it('ties its label, help and error to the input and marks the input invalid', () => {
    const html = renderToStaticMarkup(
      createElement(TextField, { id: 'port', label: 'Port', help: '1 to 65535', error: 'Not a number', value: 'x', readOnly: true }),
    );
    expect(html).toBe(
      '<div class="field"><label for="port">Port</label>' +
        '<input readOnly="" id="port" class="input" aria-invalid="true" aria-describedby="port-help port-error" value="x"/>' +
        '<span id="port-help" class="field-help">1 to 65535</span>' +
        '<span id="port-error" class="field-error">Not a number</span></div>',
    );
  });

  it('describes the input by nothing and leaves it valid when there is no help and no error', () => {
    const html = renderToStaticMarkup(createElement(TextField, { id: 'name', label: 'Name', value: '', readOnly: true }));
    expect(html).toBe('<div class="field"><label for="name">Name</label><input readOnly="" id="name" class="input" value=""/></div>');
  });
});

describe('DataTable', () => {
  it('hides optional columns on phones, labels the actions column for screen readers and adds row attributes', () => {
    const html = renderToStaticMarkup(
      createElement(DataTable<{ id: string; ip: string }>, {
        rows: [{ id: 'a', ip: '10.0.0.1' }],
        rowKey: (row) => row.id,
        rowAttributes: (row) => ({ 'data-id': row.id }),
        columns: [
          { header: 'Id', cell: (row) => row.id },
          { header: 'Address', optional: true, className: 'mono', cell: (row) => row.ip },
        ],
        actions: (row) => createElement('button', { type: 'button' }, `Revoke ${row.id}`),
        testId: 'table',
      }),
    );
    expect(html).toBe(
      '<div class="table-wrap"><table class="table" data-testid="table"><thead><tr>' +
        '<th scope="col">Id</th><th scope="col" class="hide-mobile">Address</th>' +
        '<th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>' +
        '<tbody><tr data-id="a"><td>a</td><td class="mono hide-mobile">10.0.0.1</td>' +
        '<td class="actions"><button type="button">Revoke a</button></td></tr></tbody></table></div>',
    );
  });
});
