import { describe, expect, it } from 'vitest';
import { archiveObjects, attachesIndexes, parseSequencePositions, sequenceSetLines } from './archive-toc.js';

/** Lines of a real `pg_restore --list` (PostgreSQL 15). */
const LIST = `;
; Archive created at 2026-12-03 14:30:00 UTC
;
8; 2615 16388 SCHEMA - Mixed Case postgres
6; 2615 16386 SCHEMA - app postgres
900; 1247 16501 TYPE app mood postgres
896; 1247 16498 DOMAIN app pos postgres
234; 1255 16496 FUNCTION app f(integer, text) postgres
231; 1259 16484 TABLE Mixed Case Weird "Name" postgres
219; 1259 16397 TABLE app orders app_owner
227; 1259 16471 VIEW app big_orders postgres
228; 1259 16475 SEQUENCE app invoice_numbers postgres
233; 1259 16504 MATERIALIZED VIEW app mv postgres
3448; 0 0 SEQUENCE OWNED BY app orders_id_seq app_owner
3262; 0 0 TABLE ATTACH app events_2024 postgres
3264; 2604 16400 DEFAULT app orders id app_owner
3440; 2613 4242 BLOB - 4242 postgres
3437; 0 16484 TABLE DATA Mixed Case Weird "Name" postgres
3450; 0 0 SEQUENCE SET app invoice_numbers postgres
3441; 0 0 BLOBS - BLOBS 
3271; 2606 16404 CONSTRAINT app orders orders_pkey app_owner
3267; 2606 16509 CHECK CONSTRAINT app orders pos app_owner
3276; 1259 16508 INDEX Mixed Case odd idx postgres
3280; 2620 16503 TRIGGER app customers t postgres
3279; 2606 16405 FK CONSTRAINT app orders orders_customer_id_fkey app_owner
3439; 0 16504 MATERIALIZED VIEW DATA app mv postgres
`;

describe('archiveObjects', () => {
  it('reads what the archive creates, schemas with spaces included, and leaves out data, defaults and attachments', () => {
    expect(archiveObjects(LIST).map((o) => `${o.kind}|${o.desc}|${o.schema}|${o.name}`)).toEqual([
      'schema|SCHEMA||Mixed Case',
      'schema|SCHEMA||app',
      'type|TYPE|app|mood',
      'type|DOMAIN|app|pos',
      'function|FUNCTION|app|f(integer, text)',
      'relation|TABLE|Mixed Case|Weird "Name"',
      'relation|TABLE|app|orders',
      'relation|VIEW|app|big_orders',
      'relation|SEQUENCE|app|invoice_numbers',
      'relation|MATERIALIZED VIEW|app|mv',
      'large object|BLOB||4242',
      'constraint|CONSTRAINT|app|orders orders_pkey',
      'constraint|CHECK CONSTRAINT|app|orders pos',
      'relation|INDEX|Mixed Case|odd idx',
      'trigger|TRIGGER|app|customers t',
      'constraint|FK CONSTRAINT|app|orders orders_customer_id_fkey',
    ]);
  });
});

describe('sequence positions', () => {
  it('picks the SEQUENCE SET lines and reads setval as pg_restore prints it', () => {
    expect(sequenceSetLines(LIST)).toEqual(['3450; 0 0 SEQUENCE SET app invoice_numbers postgres']);
    const sql = "SELECT pg_catalog.setval('app.invoice_numbers', 1000, false);\n\nSELECT pg_catalog.setval('\"Mixed Case\".\"it''s\"', 42, true);\n";
    expect(parseSequencePositions(sql)).toEqual([
      { sequence: 'app.invoice_numbers', value: '1000', isCalled: false },
      { sequence: '"Mixed Case"."it\'s"', value: '42', isCalled: true },
    ]);
  });
});

describe('attachesIndexes', () => {
  it.each([
    ['a list with tables attached but no index attached', LIST, false],
    ['a list that attaches a partition\'s index', `${LIST}\n3290; 0 0 INDEX ATTACH app events_2024_pkey postgres`, true],
    ['a comment that only mentions it', `${LIST}\n; 0 0 INDEX ATTACH app x postgres`, false],
    ['an empty list', '', false],
  ])('%s', (_what, list, expected) => {
    expect(attachesIndexes(list)).toBe(expected);
  });
});
