import t from 'tap'
import { lifecycleClient } from '../helpers/lifecycle-client.ts'
import { bearer, buildTestApp, caseBody } from '../helpers/test-app.ts'

const ZH = { 'accept-language': 'zh-CN' }
const HAN = /\p{Script=Han}/u
/** Letters of the Latin alphabet in running prose (not codes, paths or numbers). */
const hasChinese = (text: string) => HAN.test(text)

t.test('problems: a 404 in zh-CN has the same code and type, a Chinese title and detail, Content-Language and Vary', async (t) => {
  const { app, key } = await buildTestApp(t)
  const office = await key('office')
  const id = '00000000-0000-4000-8000-000000000000'
  const en = await app.inject({ method: 'GET', url: `/v1/cases/${id}`, headers: bearer(office) })
  const zh = await app.inject({ method: 'GET', url: `/v1/cases/${id}`, headers: { ...bearer(office), ...ZH } })
  t.equal(en.statusCode, 404)
  t.equal(zh.statusCode, 404)
  const [enBody, zhBody] = [en.json(), zh.json()]
  t.equal(zhBody.code, 'case_not_found')
  t.equal(zhBody.code, enBody.code)
  t.equal(zhBody.type, enBody.type)
  t.equal(enBody.title, 'Not found', 'English stays as it was')
  t.equal(enBody.detail, `No case ${id} is visible to this API key.`)
  t.equal(zhBody.title, '案件不存在')
  t.equal(zhBody.detail, `案件 ${id} 不存在，或本 API 密钥无权查看。`, 'rendered from the template with the id')
  t.equal(zh.headers['content-language'], 'zh-CN')
  t.equal(en.headers['content-language'], 'en')
  t.match(zh.headers.vary, /Accept-Language/)
  t.match(en.headers.vary, /Accept-Language/)

  const route = (await app.inject({ method: 'GET', url: '/v1/nowhere', headers: ZH })).json()
  t.equal(route.code, 'route_not_found')
  t.equal(route.detail, '接口 GET /v1/nowhere 不存在。接口说明见 /docs。')
})

t.test('problems: validation errors in zh-CN list the same paths with Chinese messages (400 schema, 422 named code)', async (t) => {
  const { app, key } = await buildTestApp(t)
  const dispatch = await key('dispatch')
  const bad = { ...caseBody(), voltageVolts: 'high', plannedEndDate: '2026-02-30', surprise: 1 }
  delete (bad as Record<string, unknown>).contact
  const send = (headers: Record<string, string>, payload: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: '/v1/cases', headers: { ...bearer(dispatch), ...headers }, payload })
  const en = await send({}, bad)
  const zh = await send(ZH, bad)
  t.equal(en.statusCode, 400)
  t.equal(zh.statusCode, 400)
  const [enBody, zhBody] = [en.json(), zh.json()]
  t.equal(zhBody.code, 'validation_failed')
  t.equal(enBody.title, 'The request is not valid')
  t.equal(zhBody.title, '请求参数校验未通过')
  t.ok(hasChinese(zhBody.detail), zhBody.detail)
  t.same(
    zhBody.errors.map((e: { path: string }) => e.path),
    enBody.errors.map((e: { path: string }) => e.path),
    'the same paths',
  )
  t.ok(enBody.errors.length >= 3, en.body)
  for (const issue of zhBody.errors) t.ok(hasChinese(issue.message), `${issue.path}: ${issue.message}`)
  for (const issue of enBody.errors) t.notOk(hasChinese(issue.message), `${issue.path}: ${issue.message} stays English`)

  // 422: a commitment filing without its commitment (a named code, found by the service).
  const filing = caseBody({ voltageVolts: 380, excavationLengthMeters: 100 })
  const en422 = await send({}, filing)
  const zh422 = await send({ 'accept-language': 'zh-Hans;q=1, en;q=0.5' }, filing)
  t.equal(en422.statusCode, 422, en422.body)
  t.equal(zh422.statusCode, 422)
  t.equal(zh422.json().code, 'commitment_required')
  t.equal(zh422.json().title, '缺少承诺书')
  t.match(zh422.json().detail, /承诺报备/)
  t.same(
    zh422.json().errors.map((e: { path: string }) => e.path),
    en422.json().errors.map((e: { path: string }) => e.path),
  )
  t.same(zh422.json().errors[0].message, '承诺报备须提供承诺书')
  t.equal(en422.json().errors[0].message, 'required for a commitment filing')
})

t.test('Accept-Language: default and unknown languages are English, q-values decide', async (t) => {
  const { app, key } = await buildTestApp(t)
  const office = await key('office')
  const title = async (headers: Record<string, string>) => {
    const response = await app.inject({ method: 'GET', url: '/v1/cases/00000000-0000-4000-8000-000000000000', headers: { ...bearer(office), ...headers } })
    return [response.json().title, response.headers['content-language']]
  }
  t.same(await title({}), ['Not found', 'en'], 'no header: English')
  t.same(await title({ 'accept-language': 'fr' }), ['Not found', 'en'], 'fr: English')
  t.same(await title({ 'accept-language': 'fr-FR, de;q=0.8' }), ['Not found', 'en'])
  t.same(await title({ 'accept-language': 'zh-TW' }), ['Not found', 'en'], 'traditional Chinese is not answered in simplified')
  t.same(await title({ 'accept-language': 'en;q=0.9, zh-CN;q=1' }), ['案件不存在', 'zh-CN'], 'q-values honoured')
  t.same(await title({ 'accept-language': 'zh-CN;q=0.5, en' }), ['Not found', 'en'])
  t.same(await title({ 'accept-language': 'zh' }), ['案件不存在', 'zh-CN'])
  t.same(await title({ 'accept-language': 'fr, zh;q=0.3' }), ['案件不存在', 'zh-CN'], 'the only language offered that is asked for')
})

t.test('POST /v1/assessments explains the decision in zh-CN with the same structure', async (t) => {
  const { app, key } = await buildTestApp(t)
  const auditor = await key('auditor')
  const assess = (headers: Record<string, string>, payload: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: '/v1/assessments', headers: { ...bearer(auditor), ...headers }, payload: { ...payload, acceptedAt: '2026-02-12T10:00:00+08:00' } })
  for (const input of [
    { voltageVolts: 10000, excavationLengthMeters: 50 },
    { voltageVolts: 400, excavationLengthMeters: 200.01 },
    { voltageVolts: 380, excavationLengthMeters: 10, roadProtected: true },
    { voltageVolts: 110000, excavationLengthMeters: 900, emergency: true },
    { voltageVolts: 10001, excavationLengthMeters: 10 },
  ]) {
    const en = await assess({}, input)
    const zh = await assess(ZH, input)
    t.equal(zh.statusCode, 200, zh.body)
    t.equal(zh.headers['content-language'], 'zh-CN')
    t.match(zh.headers.vary, /Accept-Language/)
    const [enBody, zhBody] = [en.json(), zh.json()]
    const { explanation: enItems, ...enRest } = enBody
    const { explanation: zhItems, ...zhRest } = zhBody
    t.same(zhRest, enRest, 'everything but the explanation texts is the same')
    t.same(
      zhItems.map((i: { code: string; basis: string }) => [i.code, i.basis]),
      enItems.map((i: { code: string; basis: string }) => [i.code, i.basis]),
      'same items, codes and citations',
    )
    for (const item of zhItems) {
      t.ok(hasChinese(item.text), item.text)
      t.notMatch(item.text, /\b(applies|does not apply|working days|must be completed)\b/, `no English prose: ${item.text}`)
    }
  }
  const joint = (await assess(ZH, { voltageVolts: 10000, excavationLengthMeters: 50 })).json()
  const matched = joint.explanation.find((i: { code: string }) => i.code === 'route.matched')
  t.match(matched.text, /^适用联合会审（joint_review）/)
  t.match(joint.explanation.find((i: { code: string }) => i.code === 'outcome.time_limit').text, /应在8个工作日内办结/)
  t.match(joint.explanation.find((i: { code: string }) => i.code === 'boundary.length.exactly_at_threshold').text, /^50米恰好位于依据文件未予明确的界限值上/)
})

t.test('GET /v1/calendar/due-date across Spring Festival 2026 in zh-CN', async (t) => {
  const { app, key } = await buildTestApp(t)
  const auditor = await key('auditor')
  const url = '/v1/calendar/due-date?from=2026-02-12&workingDays=8'
  const en = await app.inject({ method: 'GET', url, headers: bearer(auditor) })
  const zh = await app.inject({ method: 'GET', url, headers: { ...bearer(auditor), ...ZH } })
  t.equal(zh.statusCode, 200)
  t.equal(zh.headers['content-language'], 'zh-CN')
  t.match(zh.headers.vary, /Accept-Language/)
  const [enBody, zhBody] = [en.json(), zh.json()]
  t.equal(zhBody.dueDate, '2026-03-02')
  t.equal(zhBody.dueDate, enBody.dueDate)
  t.same(zhBody.explanation.countedDates, enBody.explanation.countedDates)
  t.same(zhBody.explanation.skipped, enBody.explanation.skipped, 'data (holiday names) unchanged')
  t.same(
    zhBody.explanation.days.map((d: { date: string; kind: string }) => [d.date, d.kind]),
    enBody.explanation.days.map((d: { date: string; kind: string }) => [d.date, d.kind]),
  )
  const reasonOf = (date: string) => zhBody.explanation.days.find((d: { date: string }) => d.date === date).reason
  t.equal(reasonOf('2026-02-13'), '工作日')
  t.equal(reasonOf('2026-02-14'), '调休上班日（周六上班，春节调休）')
  t.equal(reasonOf('2026-02-17'), '法定节假日：春节')
  t.equal(reasonOf('2026-03-01'), '周末（周日）')
  t.equal(zhBody.explanation.summary, '2026-02-12（当日不计）后第8个工作日为2026-03-02；跳过周末1天、法定节假日9天、暂停0天，计入调休上班日2天。')
  for (const day of zhBody.explanation.days) t.notMatch(day.reason, /[A-Za-z]{3,}/, `${day.date}: ${day.reason}`)
  t.match(enBody.explanation.days[0].reason, /working day/, 'English stays as it was')
  t.match(enBody.explanation.summary, /is the 8th working day after 2026-02-12/)

  const saturday = (await app.inject({ method: 'GET', url: '/v1/calendar/due-date?from=2026-02-12&workingDays=2', headers: { ...bearer(auditor), ...ZH } })).json()
  t.equal(saturday.explanation.dueDateNote, '2026-02-14为周六，系春节调休上班日，计为工作日。')
})

t.test('GET /v1/reports/sla as CSV: the header row in zh-CN, the column order and the cells unchanged', async (t) => {
  const { app, key } = await buildTestApp(t)
  const auditor = await key('auditor')
  const csv = (headers: Record<string, string>) =>
    app.inject({ method: 'GET', url: '/v1/reports/sla?from=2026-02-01&to=2026-02-28', headers: { ...bearer(auditor), accept: 'text/csv', ...headers } })
  const en = await csv({})
  const zh = await csv(ZH)
  t.equal(zh.statusCode, 200, zh.body)
  t.equal(zh.headers['content-type'], 'text/csv; charset=utf-8')
  t.equal(zh.headers['content-language'], 'zh-CN')
  t.match(zh.headers.vary, /Accept-Language/)
  const [enHeader, ...enRows] = en.body.split('\r\n')
  const [zhHeader, ...zhRows] = zh.body.split('\r\n')
  t.match(enHeader, /^period_from,period_to,row_type,route,cases_decided,/, 'English stays the default')
  t.match(zhHeader, /^统计期间起,统计期间止,行类型,办理路径,办结件数,有办理时限件数,按时办结件数,按时办结率,/)
  t.equal(zhHeader?.split(',').length, enHeader?.split(',').length, 'same columns')
  t.same(zhRows, enRows, 'the rows are the same')

  const timelines = await app.inject({ method: 'GET', url: '/v1/reports/timelines?from=2026-02-01&to=2026-02-28', headers: { ...bearer(auditor), ...ZH } })
  t.equal(timelines.statusCode, 200, timelines.body)
  t.match(timelines.body, /^案件标识,案件编号,申请单位,办理路径,行政区,案件状态,办结日期,/)
  t.equal(timelines.headers['content-language'], 'zh-CN')
})

t.test('GET /v1/cases/{id} in zh-CN: the stored decision explained again in Chinese (same items), deadlines explained in Chinese', async (t) => {
  const testApp = await buildTestApp(t)
  const { app, key } = testApp
  const client = lifecycleClient(testApp)
  const dispatch = await key('dispatch')
  const office = await key('office')
  const joint = await client.submit(dispatch, { excavationLengthMeters: 50 })
  await client.ok(office, joint.id, { action: 'accept' })
  const read = (headers: Record<string, string>) => app.inject({ method: 'GET', url: `/v1/cases/${joint.id}`, headers: { ...bearer(office), ...headers } })
  const en = await read({})
  const zh = await read(ZH)
  t.equal(zh.statusCode, 200)
  t.equal(zh.headers['content-language'], 'zh-CN')
  t.match(zh.headers.vary, /Accept-Language/)
  t.equal(zh.headers.etag, en.headers.etag, 'the same version')
  const [enBody, zhBody] = [en.json(), zh.json()]
  t.equal(zhBody.route, 'joint_review')
  t.same(
    zhBody.explanation.map((i: { code: string; basis: string }) => [i.code, i.basis]),
    enBody.explanation.map((i: { code: string; basis: string }) => [i.code, i.basis]),
  )
  for (const item of zhBody.explanation) t.ok(hasChinese(item.text) && !/\b(applies|working days)\b/.test(item.text), item.text)
  t.match(enBody.explanation.find((i: { code: string }) => i.code === 'route.matched').text, /^joint_review applies/, 'English as stored')
  t.ok(zhBody.clock.explanation, 'the clock runs')
  t.same(zhBody.clock.explanation.countedDates, enBody.clock.explanation.countedDates)
  for (const day of zhBody.clock.explanation.days) t.notMatch(day.reason, /[A-Za-z]{3,}/, `${day.date}: ${day.reason}`)
  t.notMatch(zhBody.clock.explanation.summary, /working day/)
  const again = await app.inject({
    method: 'POST',
    url: `/v1/cases/${joint.id}/transitions`,
    headers: { ...bearer(office), ...ZH, 'if-match': zh.headers.etag as string },
    payload: { action: 'accept' },
  })
  t.equal(again.statusCode, 409)
  t.equal(again.json().code, 'action_not_allowed')
  t.equal(again.json().detail, '案件当前状态为“已受理（审查中）”（accepted），不可办理“受理”（accept），可办理的操作见 allowedActions。')
  const list = await app.inject({ method: 'GET', url: '/v1/cases', headers: { ...bearer(office), ...ZH } })
  t.equal(list.statusCode, 200, 'lists are not localized')
})
