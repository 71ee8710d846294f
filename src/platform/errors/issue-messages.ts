/**
 * The field-level messages of validation problems (`errors[].message`) in Simplified Chinese. zod's own
 * issues are rendered again with zod's zh-CN locale from the raw issue (so nothing is translated from
 * English text); the service's own fixed messages (refinements, services' field issues) are listed here.
 * A message not listed stays as it is: the path still names the field.
 */
import { z } from 'zod'
import type { Locale } from '../../core/i18n/locale.ts'

const ZH_MESSAGES: Array<[RegExp, (match: RegExpExecArray) => string]> = [
  [/^required$/, () => '必填项'],
  [/^required: send a JSON body$/, () => '必填：请发送 JSON 请求体'],
  [/^required: send a JSON (query|path|header)$/, (m) => `必填：请提供${PARTS[m[1] as string]}`],
  [/^unknown field `(.*)`$/s, (m) => `未知字段 \`${m[1]}\``],
  [/^unknown parameter `(.*)`$/s, (m) => `未知参数 \`${m[1]}\``],
  [/^unknown header `(.*)`$/s, (m) => `未知请求头 \`${m[1]}\``],
  [/^must not be before plannedStartDate$/, () => '不得早于计划开工日期（plannedStartDate）'],
  [/^must not be before from$/, () => '不得早于起始日期（from）'],
  [/^must be on or after from \((.*)\)$/, (m) => `不得早于起始日期（${m[1]}）`],
  [/^the period may cover at most (\d+) days; it covers (\d+)$/, (m) => `统计期间最长为${m[1]}天，所填期间为${m[2]}天`],
  [/^must be a real calendar date written YYYY-MM-DD$/, () => '须为真实存在的日期，格式为 YYYY-MM-DD'],
  [/^must be a date from (\S+) to (\S+) \(Asia\/Shanghai\), the years the working-day calendar covers$/, (m) => `须为工作日历覆盖范围内的日期（${m[1]}至${m[2]}，北京时间）`],
  [/^must be an ISO-8601 instant with an offset, e\.g\. (\S+)$/, (m) => `须为带时区偏移量的 ISO-8601 时间，例如 ${m[1]}`],
  [/^must be an instant whose Asia\/Shanghai date lies from (\S+) to (\S+) \(Asia\/Shanghai\)$/, (m) => `须为北京时间日期在${m[1]}至${m[2]}之间的时间`],
  [/^an agreement with conditions must list them$/, () => '附条件同意的，须列明所附条件'],
  [/^an objection must say why$/, () => '提出异议的，须说明理由'],
  [/^a failed inspection must say what is wrong$/, () => '验收不合格的，须说明存在的问题'],
  [/^give answers, documents or a note$/, () => '请提供答复、材料或说明'],
  [/^required for a commitment filing$/, () => '承诺报备须提供承诺书'],
  [/^required for the dispatch role$/, () => '调度角色必填'],
  [/^not allowed for the admin role$/, () => '管理员角色不得填写'],
  [/^unknown jurisdiction code$/, () => '辖区代码不存在'],
  [/^unknown organization code$/, () => '单位代码不存在'],
  [/^unknown rule set$/, () => '规则集不存在'],
  [/^no rule set names this route$/, () => '现行规则集中没有该办理路径'],
  [/^must be a quoted version like "3"$/, () => '须为带引号的版本号，例如 "3"'],
  [/^must be 1–255 visible ASCII characters$/, () => '须为1至255个可见 ASCII 字符'],
  [/^invalid cursor$/, () => '分页游标无效'],
  [/^the works overlap the restriction of road (\S+) from (\S+) to (\S+): (.*)$/s, (m) => `施工期与道路${m[1]}禁止挖掘期（${m[2]}至${m[3]}）重叠：${m[4]}`],
  [/^must be a UUID$/, () => '须为 UUID'],
  [/^must match (.*)$/s, (m) => `须符合格式 ${m[1]}`],
  [/^must be (\S+) \(the organization's\) or omitted$/, (m) => `须为 ${m[1]}（该单位所属辖区）或不填`],
  [/^must be (\S+) or omitted$/, (m) => `须为 ${m[1]} 或不填`],
  [/^must be an organization of (\S+)$/, (m) => `须为辖区 ${m[1]} 的单位`],
  [/^must be four numbers minLon,minLat,maxLon,maxLat \(WGS84\)$/, () => '须为四个数值：最小经度,最小纬度,最大经度,最大纬度（WGS84）'],
  // Works geometry (core/geo/geometry-validation.ts)
  [/^has (\d+) vertices; at most (\d+) are accepted$/, (m) => `共有${m[1]}个顶点，最多允许${m[2]}个`],
  [/^\[(.+)\] is outside (.+) \(longitude (.+)–(.+), latitude (.+)–(.+)\)$/s, (m) => `坐标[${m[1]}]不在${m[2]}范围内（经度${m[3]}至${m[4]}，纬度${m[5]}至${m[6]}）`],
  [/^repeats the previous position \(a side of zero length\)$/, () => '与前一坐标点重复（边长为零）'],
  [/^the side ending here is (\S+) long; at most (\S+) is accepted$/, (m) => `止于此处的边长为${m[1]}，最长允许${m[2]}`],
  [/^the geometry crosses itself on the side starting here: it must be simple$/, () => '图形在起于此处的边上自相交：图形不得自相交'],
  [/^the geometry folds back on itself at this position \(a spike\): it must be simple$/, () => '图形在此处折返（尖刺）：图形不得自相交或折返'],
  [/^is not a valid polygon: a hole must lie inside the outer ring and rings must not touch along a side$/, () => '不是有效的多边形：内环须位于外环之内，且各环不得沿边相接'],
  // Lifecycle actions (core/lifecycle)
  [/^a change of kind "(.+)" must give (\S+)$/, (m) => `变更类型为“${m[1]}”的，须填写 ${m[2]}`],
  [/^the current stage is (\S+), not (\S+)$/, (m) => `当前审查阶段为 ${m[1]}，而非 ${m[2]}`],
  [/^the route names no approving authority: say who approves$/, () => '该办理路径未规定审批机关，请注明审批机关'],
  [/^an extension must end after the approved period's end (\S+)$/, (m) => `延期的截止日期须晚于原批准期限的截止日期${m[1]}`],
  [
    /^unknown code "(.+)": not in the (\S+) list \(version (\d+)\) of the case's rule set; known: (.*)$/s,
    (m) => `代码“${m[1]}”不在该案件适用规则集的${m[2]}代码表（第${m[3]}版）中；可用代码：${m[4]}`,
  ],
  [/^(\S+) is not a published event type: use \* or one of (.*)$/s, (m) => `${m[1]}不是已发布的事件类型：请使用 * 或以下之一：${m[2]}`],
  // Calendar schedules (core/calendar/working-day-calendar.ts)
  [/^source must say where the schedule came from \(e\.g\. the State Council notice\)$/, () => '须注明节假日安排的来源（例如国务院办公厅通知）'],
  [/^(\S+) is not a real date in YYYY-MM-DD form$/, (m) => `${m[1]}不是格式为 YYYY-MM-DD 的有效日期`],
  [/^(\S+) is outside (\d+); each year's schedule may only list dates of that year$/, (m) => `${m[1]}不在${m[2]}年内；每一年度的安排只能列入该年度的日期`],
  [/^(\S+) is a \w+; a make-up workday must fall on a Saturday or Sunday$/, (m) => `${m[1]}不是周末：调休上班日须为周六或周日`],
  [/^(\S+) is both a holiday \((.+)\) and a make-up workday; it must be only one of them$/, (m) => `${m[1]}同时被列为法定节假日（${m[2]}）和调休上班日，只能列为其中之一`],
  [/^(\S+) is not in (\S+); a name can only be given to a listed date$/, (m) => `${m[1]}未列入 ${m[2]}，只能为已列入的日期命名`],
  [/^a name must be a non-empty text$/, () => '名称不得为空'],
]

const PARTS: Record<string, string> = { query: '查询参数', path: '路径参数', header: '请求头' }

const zhCN = z.locales.zhCN()

/**
 * The message of one issue for `locale`. `issue` is the raw zod issue when zod raised it (code and its
 * params, with the input at its path), absent for the service's own field issues.
 */
export function issueMessage(locale: Locale, english: string, issue?: { code: string; params: Record<string, unknown>; input: unknown; path: string[] }): string {
  if (locale === 'en') return english
  for (const [pattern, render] of ZH_MESSAGES) {
    const match = pattern.exec(english)
    if (match) return render(match)
  }
  if (issue !== undefined && issue.code !== 'custom') {
    const raw = { ...issue.params, code: issue.code, input: issue.input, path: issue.path } as unknown as Parameters<typeof zhCN.localeError>[0]
    const rendered = zhCN.localeError(raw)
    const text = typeof rendered === 'string' ? rendered : rendered?.message
    if (text) return text
  }
  return english
}
