import t from 'tap'
import { addDays } from '../../../src/core/calendar/civil-date.ts'
import { explainDeadline } from '../../../src/core/calendar/deadline-explanation.ts'
import { WorkingDayCalendar } from '../../../src/core/calendar/working-day-calendar.ts'
import { addActiveWorkingDays } from '../../../src/core/lifecycle/statutory-clock.ts'

// February 2026 written out by hand from the State Council notice: Spring Festival holidays Sunday 15 to Monday 23
// February; Saturday 14 and Saturday 28 February are worked instead (调休).
const SF = '春节 Spring Festival'
const spring = ['2026-02-15', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-21', '2026-02-22', '2026-02-23']
const calendar = new WorkingDayCalendar([
  {
    year: 2026,
    holidays: spring,
    makeupWorkdays: ['2026-02-14', '2026-02-28'],
    source: 'test: State Council notice for 2026 (Spring Festival only)',
    holidayNames: Object.fromEntries(spring.map((d) => [d, SF])),
    makeupWorkdayNames: { '2026-02-14': SF, '2026-02-28': SF },
  },
])

t.test('8 working days from Thursday 12 February 2026 across the Spring Festival, day by day', async (t) => {
  const e = explainDeadline(calendar, '2026-02-12', 8)
  const expected: Array<[string, string, string, number | null, string | null]> = [
    ['2026-02-13', 'Fri', 'workday', 1, null],
    ['2026-02-14', 'Sat', 'makeup_workday', 2, SF],
    ['2026-02-15', 'Sun', 'holiday', null, SF],
    ['2026-02-16', 'Mon', 'holiday', null, SF],
    ['2026-02-17', 'Tue', 'holiday', null, SF],
    ['2026-02-18', 'Wed', 'holiday', null, SF],
    ['2026-02-19', 'Thu', 'holiday', null, SF],
    ['2026-02-20', 'Fri', 'holiday', null, SF],
    ['2026-02-21', 'Sat', 'holiday', null, SF],
    ['2026-02-22', 'Sun', 'holiday', null, SF],
    ['2026-02-23', 'Mon', 'holiday', null, SF],
    ['2026-02-24', 'Tue', 'workday', 3, null],
    ['2026-02-25', 'Wed', 'workday', 4, null],
    ['2026-02-26', 'Thu', 'workday', 5, null],
    ['2026-02-27', 'Fri', 'workday', 6, null],
    ['2026-02-28', 'Sat', 'makeup_workday', 7, SF],
    ['2026-03-01', 'Sun', 'weekend', null, null],
    ['2026-03-02', 'Mon', 'workday', 8, null],
  ]
  t.same(
    e.days.map((d) => [d.date, d.weekday, d.kind, d.counted, d.holiday]),
    expected,
  )
  t.equal(e.dueDate, '2026-03-02')
  t.same(e.countedDates, ['2026-02-13', '2026-02-14', '2026-02-24', '2026-02-25', '2026-02-26', '2026-02-27', '2026-02-28', '2026-03-02'])
  t.same(e.makeupWorkdaysCounted, [
    { date: '2026-02-14', makesUpFor: SF },
    { date: '2026-02-28', makesUpFor: SF },
  ])
  t.equal(e.skipped.length, 10)
  t.match(e.days[2]?.reason, /法定节假日.*春节 Spring Festival/)
  t.match(e.days[1]?.reason, /调休上班.*make-up workday.*for 春节 Spring Festival/)
  t.match(e.days[16]?.reason, /周末 weekend \(Sun\)/)
  t.equal(e.provisional, false)
  t.equal(e.dueDateNote, null, 'a Monday is an ordinary working day')
  t.match(e.summary, /跳过周末1天、法定节假日9天、暂停0天，计入调休上班日2天/)
})

t.test('table: due dates, notes, pauses and provisional years', async (t) => {
  const table: Array<{
    label: string
    from: string
    n: number
    pauses?: Array<{ from: string; to: string | null; reason?: string }>
    due: string | null
    counted?: string[]
    note?: RegExp
    provisionalYears?: number[]
  }> = [
    { label: 'n = 0 is the start itself', from: '2026-02-12', n: 0, due: '2026-02-12', counted: [] },
    {
      label: 'due on the make-up Saturday',
      from: '2026-02-12',
      n: 2,
      due: '2026-02-14',
      note: /2026-02-14 is a Saturday worked as a make-up workday \(调休, for 春节 Spring Festival\)/,
    },
    { label: 'accepted on a holiday: counts from the next working day', from: '2026-02-17', n: 1, due: '2026-02-24', counted: ['2026-02-24'] },
    {
      label: 'a pause (13 < d ≤ 25): the pause day was used, the resume day is not counted',
      from: '2026-02-12',
      n: 2,
      pauses: [{ from: '2026-02-13', to: '2026-02-25', reason: 'supplement requested' }],
      due: '2026-02-26',
      counted: ['2026-02-13', '2026-02-26'],
    },
    { label: 'an open pause: not known yet', from: '2026-02-12', n: 2, pauses: [{ from: '2026-02-13', to: null }], due: null, counted: ['2026-02-13'] },
    {
      label: 'into 2027, not loaded: weekends only, provisional',
      from: '2026-12-30',
      n: 3,
      due: '2027-01-04',
      counted: ['2026-12-31', '2027-01-01', '2027-01-04'],
      provisionalYears: [2027],
    },
  ]
  for (const row of table) {
    const e = explainDeadline(calendar, row.from, row.n, row.pauses ?? [])
    t.equal(e.dueDate, row.due, `${row.label}: due date`)
    if (row.counted) t.same(e.countedDates, row.counted, `${row.label}: counted days`)
    if (row.note) t.match(e.dueDateNote, row.note, `${row.label}: note`)
    t.same(e.provisionalYears, row.provisionalYears ?? [], `${row.label}: provisional years`)
    t.equal(e.provisional, (row.provisionalYears ?? []).length > 0)
  }
  const paused = explainDeadline(calendar, '2026-02-12', 2, [{ from: '2026-02-13', to: '2026-02-25', reason: 'supplement requested' }])
  t.same(
    paused.skipped.filter((d) => d.kind === 'paused').map((d) => d.date),
    ['2026-02-14', '2026-02-24', '2026-02-25'],
    'working days inside the pause are skipped as paused; holidays inside it stay holidays',
  )
  t.match(paused.days.find((d) => d.kind === 'paused')?.reason, /暂停计时 clock paused: supplement requested/)
})

t.test('the explanation counts exactly as the clock does', async (t) => {
  const pauses = [{ from: '2026-02-20', to: '2026-03-05' }]
  for (let offset = 0; offset < 40; offset += 3) {
    const from = addDays('2026-02-01', offset)
    for (const n of [1, 2, 4, 8, 20]) {
      t.equal(explainDeadline(calendar, from, n, pauses).dueDate, addActiveWorkingDays(calendar, from, n, pauses).date, `${from} + ${n}`)
    }
  }
})
