/**
 * The message catalogue of problem documents: for every stable `code`, its `title` and a `detail` in English
 * and in Simplified Chinese (zh-CN). The English detail a client receives stays the one the error was thrown
 * with (integrations may log it); the Chinese one is rendered here from a template and the error's structured
 * `params`, never translated from the English text. `detail` is the text without parameters (used when an
 * error carries none); `templates` are the parameterised variants a throw site names (`{name}` placeholders).
 *
 * A new code must be added here: DomainError takes a ProblemCode, and test/unit/problem-catalogue.test.ts
 * checks that every entry has both languages.
 */
import type { Locale, Localized } from '../../core/i18n/locale.ts'

export interface ProblemEntry {
  title: Localized
  detail: Localized
  templates?: Record<string, Localized>
}

export type ProblemParams = Readonly<Record<string, string | number>>

export const PROBLEM_CATALOGUE = {
  // The base classes of domain-errors.ts
  validation_failed: {
    title: { en: 'The request is not valid', zh: '请求参数校验未通过' },
    detail: { en: 'The request has invalid fields; see errors.', zh: '请求中有字段不符合要求，详见 errors 所列各项。' },
    templates: {
      schema: { en: 'The {part} has {count} invalid field(s): {paths}.', zh: '请求{part}中有{count}个字段不符合要求：{paths}。' },
      dispatch_organization_required: { en: 'A dispatch key belongs to one organization: give its code.', zh: '调度密钥须归属于一个单位，请填写单位代码。' },
      organization_not_allowed: {
        en: 'Only a dispatch key belongs to an organization; an {role} key sees every organization: leave organization out.',
        zh: '仅调度密钥归属于单位；“{roleZh}”角色的密钥可查看全部单位，请勿填写 organization。',
      },
      organization_code_format: { en: 'An organization code is 2 to 32 letters, digits, "-" or "_".', zh: '单位代码应为2至32位字母、数字、“-”或“_”。' },
      admin_jurisdiction: { en: 'An admin key spans every jurisdiction.', zh: '管理员密钥适用于全部辖区，不得指定辖区。' },
      unknown_jurisdiction: { en: 'No jurisdiction has the code {code}.', zh: '辖区代码 {code} 不存在。' },
      organization_jurisdiction: { en: 'Organization {organization} belongs to {jurisdiction}.', zh: '单位 {organization} 隶属于辖区 {jurisdiction}。' },
      key_confined: {
        en: 'This key works in {confined}; organization {organization} belongs to {jurisdiction}.',
        zh: '本密钥限于辖区 {confined} 使用；单位 {organization} 隶属于辖区 {jurisdiction}。',
      },
      unknown_organization: { en: 'No organization has the code {code}.', zh: '单位代码 {code} 不存在。' },
    },
  },
  bad_request: {
    title: { en: 'Bad request', zh: '请求有误' },
    detail: { en: 'The request cannot be processed as sent.', zh: '请求格式有误，无法处理。' },
    templates: {
      http: { en: 'The request is not valid HTTP/1.1.', zh: '请求不符合 HTTP/1.1 协议规范。' },
      unknown_route_name: { en: 'No rule set has a route {route}.', zh: '现行规则集中没有办理路径 {route}。' },
    },
  },
  unauthorized: {
    title: { en: 'Authentication required', zh: '需要身份认证' },
    detail: {
      en: 'Send a valid API key as Authorization: Bearer <key>.',
      zh: '未提供有效的 API 密钥，或该密钥已失效。请以 Authorization: Bearer <密钥> 方式提供有效密钥。',
    },
  },
  forbidden: {
    title: { en: 'Not allowed for this API key', zh: '本 API 密钥无权执行该操作' },
    detail: { en: 'The role of this API key may not do this.', zh: '本 API 密钥所属角色无权执行该操作。' },
    templates: {
      route: { en: 'The {role} role may not call {method} {url}.', zh: '“{roleZh}”角色无权调用 {method} {url}。' },
      action: { en: 'The role may not {action}; {allowed} may.', zh: '当前角色无权办理“{actionZh}”（{action}），可办理该操作的角色为：{allowedZh}。' },
    },
  },
  not_found: {
    title: { en: 'Not found', zh: '未找到' },
    detail: { en: 'The resource does not exist.', zh: '所请求的资源不存在。' },
    templates: {
      api_key: { en: 'No API key {id}.', zh: 'API 密钥 {id} 不存在。' },
      calendar_year: {
        en: 'No schedule is loaded for {year}; deadlines in it are provisional (weekends only).',
        zh: '尚未载入{year}年的节假日安排，该年度期限为暂定（仅扣除周末）。',
      },
    },
  },
  conflict: {
    title: { en: 'Conflict', zh: '操作冲突' },
    detail: { en: 'The request conflicts with the current state.', zh: '该请求与当前状态冲突，未予办理。' },
  },
  precondition_required: {
    title: { en: 'Precondition required', zh: '缺少前提条件' },
    detail: {
      en: 'Send If-Match with the current ETag.',
      zh: '请在 If-Match 请求头中提供案件当前的 ETag（例如 If-Match: "3"），以免覆盖您尚未看到的变更。',
    },
  },
  precondition_failed: {
    title: { en: 'Precondition failed', zh: '前提条件不满足' },
    detail: { en: 'The case has changed since you read it.', zh: '案件自您读取后已发生变更，请重新读取后再提交。' },
    templates: {
      stale: {
        en: 'The case is at version {current}, not {expected}: read it again and retry with If-Match: "{current}".',
        zh: '案件当前版本为{current}，而非{expected}：请重新读取后以 If-Match: "{current}" 重新提交。',
      },
      weak: {
        en: 'A weak tag never matches: send If-Match: "{current}".',
        zh: 'If-Match 按强比较（RFC 9110 §13.1.1）校验，弱标记不会匹配：请按原样提供案件的 ETag，即 If-Match: "{current}"。',
      },
    },
  },
  rate_limited: {
    title: { en: 'Too many requests', zh: '请求过于频繁' },
    detail: { en: 'Too many requests; retry later.', zh: '请求次数超过限额，请稍后重试。' },
    templates: {
      window: {
        en: 'At most {limit} per {windowSeconds} s; retry after {retryAfterSeconds} s.',
        zh: '每{windowSeconds}秒最多允许{limit}次请求，请于{retryAfterSeconds}秒后重试。',
      },
    },
  },
  shutting_down: {
    title: { en: 'Service unavailable', zh: '服务暂不可用' },
    detail: {
      en: 'This instance is shutting down; nothing was done. Retry: another instance will answer.',
      zh: '本服务实例正在停止运行，请求未予办理。请重试，将由其他实例处理。',
    },
  },

  // The error boundary (errors.plugin.ts) and the HTTP layer
  bad_url: {
    title: { en: 'Bad request', zh: '请求有误' },
    detail: { en: 'The path is not a valid URL: check its percent-encoding.', zh: '请求路径不是有效的 URL，请检查百分号编码。' },
  },
  uri_too_long: {
    title: { en: 'URI too long', zh: '请求地址过长' },
    detail: { en: 'A path parameter is longer than any valid value.', zh: '路径参数超出任何有效取值的长度。' },
  },
  internal_error: {
    title: { en: 'Internal server error', zh: '服务内部错误' },
    detail: {
      en: 'An unexpected error occurred. Quote the requestId when reporting it.',
      zh: '服务发生意外错误。反映问题时请提供 requestId。',
    },
  },
  request_timeout: {
    title: { en: 'Request timeout', zh: '请求超时' },
    detail: {
      en: 'The request (headers and body) did not arrive within the time limit; the connection is closed.',
      zh: '请求（请求头及请求体）未在规定时限内送达，连接已关闭。',
    },
  },
  headers_too_large: {
    title: { en: 'Request header fields too large', zh: '请求头过大' },
    detail: { en: 'The request headers are larger than the server accepts.', zh: '请求头超出服务允许的大小。' },
  },
  malformed_json: {
    title: { en: 'Malformed JSON', zh: 'JSON 格式错误' },
    detail: { en: 'The body is not valid JSON.', zh: '请求体不是有效的 JSON。' },
    templates: {
      position: {
        en: 'The body is not valid JSON at line {line}, column {column} (character {offset} of {length}).',
        zh: '请求体不是有效的 JSON：第{line}行第{column}列（共{length}个字符中的第{offset}个）处有误。',
      },
      ends_early: {
        en: 'The body is not valid JSON: the text ends early at line {line}, column {column}.',
        zh: '请求体不是有效的 JSON：文本在第{line}行第{column}列处提前结束。',
      },
      prototype: {
        en: 'The body has a `__proto__` or `constructor.prototype` member, which is refused.',
        zh: '请求体含有 `__proto__` 或 `constructor.prototype` 成员，不予接收。',
      },
    },
  },
  empty_body: {
    title: { en: 'Empty body', zh: '请求体为空' },
    detail: { en: 'The request declares a JSON body but sends none.', zh: '请求声明了 JSON 请求体，但未发送任何内容。' },
  },
  body_too_large: {
    title: { en: 'Body too large', zh: '请求体过大' },
    detail: { en: 'The body is larger than the limit.', zh: '请求体超出大小限制，其余内容未予读取。' },
    templates: {
      limit: {
        en: 'The body is larger than the limit of {limitBytes} bytes; nothing was read further.',
        zh: '请求体超出{limitBytes}字节的限制，其余内容未予读取。',
      },
    },
  },
  unsupported_media_type: {
    title: { en: 'Unsupported media type', zh: '不支持的媒体类型' },
    detail: { en: 'Send the body as application/json.', zh: '请以 application/json 格式发送请求体。' },
    templates: {
      got: { en: 'Send the body as application/json (got {contentType}).', zh: '请以 application/json 格式发送请求体（收到的是 {contentType}）。' },
    },
  },
  unsupported_character: {
    title: { en: 'Bad request', zh: '请求有误' },
    detail: {
      en: 'A text value contains a character that cannot be stored: U+0000 (NUL) or an unpaired UTF-16 surrogate. Nothing was changed.',
      zh: '文本中含有无法存储的字符：U+0000（NUL）或未配对的 UTF-16 代理项。数据未作任何变更。',
    },
  },
  database_unavailable: {
    title: { en: 'Service unavailable', zh: '服务暂不可用' },
    detail: {
      en: 'The database is not reachable right now; nothing was changed. Retry after the indicated delay.',
      zh: '数据库暂时无法连接，数据未作任何变更。请在提示的时间后重试。',
    },
  },
  database_timeout: {
    title: { en: 'Service unavailable', zh: '服务暂不可用' },
    detail: { en: 'The database took too long to answer; nothing was changed. Retry shortly.', zh: '数据库响应超时，数据未作任何变更。请稍后重试。' },
  },
  method_not_allowed: {
    title: { en: 'Method not allowed', zh: '不支持该请求方法' },
    detail: { en: 'The path does not answer this method. See /docs for the API.', zh: '该路径不支持此请求方法，接口说明见 /docs。' },
    templates: {
      allowed: {
        en: '{method} is not allowed on {path}; it answers {allowed}. See /docs for the API.',
        zh: '路径 {path} 不支持 {method} 方法，仅支持 {allowed}。接口说明见 /docs。',
      },
    },
  },
  route_not_found: {
    title: { en: 'Not found', zh: '未找到' },
    detail: { en: 'No such route. See /docs for the API.', zh: '所请求的接口不存在，接口说明见 /docs。' },
    templates: {
      route: { en: 'No route {method} {path}. See /docs for the API.', zh: '接口 {method} {path} 不存在。接口说明见 /docs。' },
    },
  },
  client_error: {
    title: { en: 'Bad request', zh: '请求有误' },
    detail: { en: 'The request cannot be processed as sent.', zh: '请求有误，无法处理。' },
  },
  invalid_cursor: {
    title: { en: 'Bad request', zh: '请求有误' },
    detail: {
      en: 'The cursor is not one this service issued for this list.',
      zh: '分页游标无效：请原样传回上一页返回的 nextCursor，或不填以从第一页开始。',
    },
  },
  invalid_if_match: {
    title: { en: 'Bad request', zh: '请求有误' },
    detail: { en: 'If-Match must be the ETag of the case, e.g. "3".', zh: 'If-Match 须为案件的 ETag，例如 "3"。' },
  },
  invalid_idempotency_key: {
    title: { en: 'Bad request', zh: '请求有误' },
    detail: {
      en: 'Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID is ideal).',
      zh: 'Idempotency-Key 须为1至255个可见 ASCII 字符（建议使用 UUID）。',
    },
  },
  idempotency_key_in_progress: {
    title: { en: 'Request in progress', zh: '请求正在处理' },
    detail: { en: 'A request with this Idempotency-Key is still being processed.', zh: '使用该 Idempotency-Key 的请求仍在处理中，请待其完成后重试。' },
    templates: {
      key: { en: 'A request with Idempotency-Key {key} is still being processed.', zh: '使用 Idempotency-Key {key} 的请求仍在处理中，请待其完成后重试。' },
    },
  },
  idempotency_key_reused: {
    title: { en: 'Idempotency-Key reused', zh: 'Idempotency-Key 重复使用' },
    detail: { en: 'The Idempotency-Key was already used with a different request.', zh: '该 Idempotency-Key 已用于另一个请求，新请求请使用新的密钥。' },
    templates: {
      key: {
        en: 'Idempotency-Key {key} was already used with a different request ({method} {path}).',
        zh: 'Idempotency-Key {key} 已用于另一个请求（{method} {path}），新请求请使用新的密钥。',
      },
    },
  },

  // Cases and their lifecycle
  case_not_found: {
    title: { en: 'Not found', zh: '案件不存在' },
    detail: { en: 'No such case is visible to this API key.', zh: '案件不存在，或本 API 密钥无权查看。' },
    templates: { id: { en: 'No case {id} is visible to this API key.', zh: '案件 {id} 不存在，或本 API 密钥无权查看。' } },
  },
  commitment_required: {
    title: { en: 'The request is not valid', zh: '缺少承诺书' },
    detail: {
      en: 'The works are filed with a signed commitment instead of an approval: include `commitment` with signedBy and statement.',
      zh: '该工程实行承诺报备，以签署的承诺书代替审批：请提供 commitment（含签署人 signedBy 及承诺内容 statement）。',
    },
  },
  duplicate_external_reference: {
    title: { en: 'Conflict', zh: '重复申报' },
    detail: { en: 'Your organization already submitted a case with this externalReference.', zh: '本单位已使用该外部编号（externalReference）申报过案件，不予重复受理。' },
    templates: {
      reference: {
        en: 'Your organization already submitted a case with externalReference {externalReference}: {caseNumber}.',
        zh: '本单位已使用外部编号 {externalReference} 申报过案件（案件编号 {caseNumber}），不予重复受理。',
      },
    },
  },
  action_not_allowed: {
    title: { en: 'Conflict', zh: '当前状态下不可办理该操作' },
    detail: { en: 'The action is not allowed in the case’s current status; see allowedActions.', zh: '案件当前状态下不可办理该操作，可办理的操作见 allowedActions。' },
    templates: {
      status: {
        en: 'The action {action} is not allowed while the case is {status}.',
        zh: '案件当前状态为“{statusZh}”（{status}），不可办理“{actionZh}”（{action}），可办理的操作见 allowedActions。',
      },
    },
  },
  invalid_action_payload: {
    title: { en: 'The request is not valid', zh: '操作内容不符合要求' },
    detail: { en: 'The action’s payload is not valid for the case; see errors.', zh: '所提交的操作内容不符合要求，详见 errors 所列各项。' },
  },
  unknown_reason_code: {
    title: { en: 'The request is not valid', zh: '理由代码不存在' },
    detail: { en: 'The action names codes its case’s rule set does not list.', zh: '所填理由代码不在该案件适用规则集的代码表中，详见 errors 所列各项。' },
  },
  clash_not_found: {
    title: { en: 'Not found', zh: '施工冲突不存在' },
    detail: { en: 'The two cases have no clash.', zh: '两个案件之间不存在施工冲突记录。' },
    templates: { cases: { en: 'Case {caseId} has no clash with case {otherCaseId}.', zh: '案件 {caseId} 与案件 {otherCaseId} 之间不存在施工冲突记录。' } },
  },
  clash_already_decided: {
    title: { en: 'Conflict', zh: '施工冲突已处理' },
    detail: { en: 'The clash between the two cases is already decided.', zh: '两个案件之间的施工冲突已作处理，不得重复处理。' },
  },

  // Road register and works facts
  invalid_geometry: {
    title: { en: 'The request is not valid', zh: '图形数据不符合要求' },
    detail: { en: 'The geometry cannot be used; see errors.', zh: '所提交的图形数据无法使用，详见 errors 所列各项。' },
  },
  invalid_road_import: {
    title: { en: 'The request is not valid', zh: '道路数据导入未通过校验' },
    detail: { en: 'Nothing was imported; see errors.', zh: '道路数据有误，未导入任何数据，详见 errors 所列各项。' },
    templates: { count: { en: 'Nothing was imported: {count} fault(s) in the collection.', zh: '道路数据中有{count}处错误，未导入任何数据，详见 errors 所列各项。' } },
  },
  road_not_found: {
    title: { en: 'Not found', zh: '道路不存在' },
    detail: { en: 'No such road in the register.', zh: '道路台账中没有该道路。' },
    templates: { code: { en: 'No road {code} in the register.', zh: '道路台账中没有编号为 {code} 的道路。' } },
  },
  road_restricted: {
    title: { en: 'The request is not valid', zh: '计划工期处于禁止挖掘期' },
    detail: { en: 'The planned period overlaps a no-dig period; see errors.', zh: '计划工期与道路禁止挖掘期重叠，不予受理，详见 errors 所列各项。' },
    templates: {
      period: {
        en: 'The planned period {from} to {to} overlaps a no-dig period.',
        zh: '计划工期（{from}至{to}）与道路禁止挖掘期重叠，不予受理，详见 errors 所列各项。',
      },
    },
  },

  // Jurisdictions, rule sets, calendar
  jurisdiction_not_found: {
    title: { en: 'Not found', zh: '辖区不存在' },
    detail: { en: 'No such jurisdiction.', zh: '该辖区不存在。' },
    templates: { code: { en: 'No jurisdiction {code}.', zh: '辖区 {code} 不存在。' } },
  },
  unknown_jurisdiction: {
    title: { en: 'The request is not valid', zh: '辖区代码不存在' },
    detail: { en: 'No jurisdiction has this code.', zh: '所填辖区代码不存在。' },
    templates: { code: { en: 'No jurisdiction has the code {code}.', zh: '辖区代码 {code} 不存在。' } },
  },
  unknown_rule_set: {
    title: { en: 'The request is not valid', zh: '规则集不存在' },
    detail: { en: 'No such rule set: publish it first.', zh: '该规则集不存在，请先发布（POST /v1/rule-sets）。' },
    templates: { id: { en: 'No rule set {id}: publish it first.', zh: '规则集 {id} 不存在，请先发布（POST /v1/rule-sets）。' } },
  },
  default_jurisdiction_required: {
    title: { en: 'Conflict', zh: '须保留默认辖区' },
    detail: { en: 'This is the deployment’s default jurisdiction: make another one the default instead.', zh: '该辖区为本系统的默认辖区，请先将其他辖区设为默认。' },
    templates: { code: { en: '{code} is the default jurisdiction.', zh: '{code}为本系统的默认辖区，请先将其他辖区设为默认。' } },
  },
  case_number_prefix_taken: {
    title: { en: 'Conflict', zh: '案件编号前缀已被占用' },
    detail: { en: 'The case-number prefix belongs to another jurisdiction.', zh: '该案件编号前缀已由其他辖区使用。' },
    templates: { prefix: { en: 'The case-number prefix {prefix} belongs to another jurisdiction.', zh: '案件编号前缀 {prefix} 已由其他辖区使用。' } },
  },
  rule_set_not_found: {
    title: { en: 'Not found', zh: '规则集不存在' },
    detail: { en: 'No such rule set or version.', zh: '该规则集或其版本不存在。' },
    templates: {
      id: { en: 'No rule set {id}.', zh: '规则集 {id} 不存在。' },
      version: { en: 'Rule set {id} has no version {version}.', zh: '规则集 {id} 没有第{version}版。' },
    },
  },
  rule_set_not_in_force: {
    title: { en: 'Not found', zh: '无现行有效的规则集' },
    detail: { en: 'No version of the rule set is in force on that date.', zh: '该日期没有现行有效的规则集版本。' },
    templates: { date: { en: 'No version of rule set {id} is in force on {date}.', zh: '规则集 {id} 在{date}没有现行有效的版本。' } },
  },
  invalid_rule_set: {
    title: { en: 'The request is not valid', zh: '规则集不符合要求' },
    detail: { en: 'The rule set is not valid; see errors.', zh: '规则集内容不符合要求，详见 errors 所列各项。' },
  },
  rule_set_version_exists: {
    title: { en: 'Conflict', zh: '规则集版本已存在' },
    detail: { en: 'The rule set already has this version; a new version must be greater.', zh: '该规则集已有此版本，新版本号须大于现有版本号。' },
    templates: {
      latest: { en: 'Rule set {id} already has version {latestVersion}; a new version must be greater.', zh: '规则集 {id} 已有第{latestVersion}版，新版本号须大于该版本号。' },
    },
  },
  invalid_calendar: {
    title: { en: 'The request is not valid', zh: '节假日安排不符合要求' },
    detail: { en: 'The schedule is not valid; see errors.', zh: '节假日安排不符合要求，详见 errors 所列各项。' },
    templates: { year: { en: 'The {year} schedule is not valid.', zh: '{year}年节假日安排不符合要求，详见 errors 所列各项。' } },
  },

  // Audit
  checkpoint_not_found: {
    title: { en: 'Not found', zh: '审计检查点不存在' },
    detail: { en: 'There is no such audit checkpoint.', zh: '该审计检查点不存在。' },
    templates: {
      sequence: { en: 'There is no audit checkpoint {sequence}.', zh: '第{sequence}号审计检查点不存在。' },
      none: { en: 'No audit checkpoint has been taken yet.', zh: '尚未生成任何审计检查点，可由管理员调用 POST /v1/audit/checkpoints 生成。' },
    },
  },
  case_not_in_checkpoint: {
    title: { en: 'Not found', zh: '案件不在该检查点内' },
    detail: { en: 'The case was submitted after the checkpoint: ask for a later checkpoint.', zh: '该案件在检查点生成后才提交，请使用较新的检查点。' },
    templates: {
      checkpoint: {
        en: 'Case {caseNumber} was submitted after checkpoint {sequence}.',
        zh: '案件 {caseNumber} 在第{sequence}号检查点生成后才提交，请使用较新的检查点。',
      },
    },
  },

  // Permits and the console
  permit_not_found: {
    title: { en: 'Not found', zh: '许可证不存在' },
    detail: { en: 'No approved permit has this number.', zh: '没有该编号的已批准许可证。' },
    templates: {
      number: {
        en: 'No approved permit has the number {caseNumber}. Check the number printed on the permit (e.g. ZZ-2026-000123), or ask the issuing road authority.',
        zh: '没有编号为 {caseNumber} 的已批准许可证。请核对许可证上印制的编号（如 ZZ-2026-000123），或向发证的道路主管部门查询。',
      },
    },
  },
  console_not_built: {
    title: { en: 'Console not built', zh: '控制台尚未构建' },
    detail: {
      en: 'The web console has not been built on this server: run `npm run build:console` (it writes console/dist), then reload.',
      zh: '本服务器尚未构建网页控制台：请运行 `npm run build:console`（生成 console/dist）后刷新页面。',
    },
  },

  // Webhooks
  webhook_not_found: {
    title: { en: 'Not found', zh: '回调地址不存在' },
    detail: { en: 'No such webhook endpoint is visible to this API key.', zh: '该回调地址不存在，或本 API 密钥无权查看。' },
    templates: { id: { en: 'No webhook endpoint {id} is visible to this API key.', zh: '回调地址 {id} 不存在，或本 API 密钥无权查看。' } },
  },
  unknown_event_type: {
    title: { en: 'The request is not valid', zh: '事件类型不存在' },
    detail: { en: 'Unknown event types; see errors.', zh: '所订阅的事件类型不存在，详见 errors 所列各项。' },
  },
  webhook_url_refused: {
    title: { en: 'The request is not valid', zh: '回调地址不予接受' },
    detail: { en: 'The webhook URL is refused by the webhook target policy.', zh: '回调地址不符合回调目标安全策略，不予接受。' },
  },
  webhook_endpoint_limit: {
    title: { en: 'Conflict', zh: '回调地址数量已达上限' },
    detail: { en: 'The organization already has the most webhook endpoints allowed.', zh: '本单位的回调地址数量已达上限：请先删除一个，或为现有回调地址增订事件。' },
    templates: {
      limit: {
        en: 'The organization already has {limit} webhook endpoints, the most allowed.',
        zh: '本单位已有{limit}个回调地址，已达上限：请先删除一个，或为现有回调地址增订事件。',
      },
    },
  },
} as const satisfies Record<string, ProblemEntry>

export type ProblemCode = keyof typeof PROBLEM_CATALOGUE

function isProblemCode(code: string): code is ProblemCode {
  return Object.hasOwn(PROBLEM_CATALOGUE, code)
}

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9]*)\}/g

/** The placeholders of a template, e.g. `['id']` for 'No case {id}'. */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1] as string)
}

function render(template: string, params: ProblemParams): string | undefined {
  if (placeholdersOf(template).some((name) => params[name] === undefined)) return undefined
  return template.replace(PLACEHOLDER, (_, name: string) => String(params[name]))
}

function entryOf(code: string): ProblemEntry {
  return (isProblemCode(code) ? PROBLEM_CATALOGUE[code] : PROBLEM_CATALOGUE.client_error) as ProblemEntry
}

/**
 * The title and detail of a problem for `locale`. English keeps the title and detail the error was raised
 * with; zh-CN renders the named template with the error's params (or the code's own detail when the
 * template is not named or a param is missing).
 */
export function problemText(
  locale: Locale,
  code: string,
  english: { title: string; detail: string },
  params: ProblemParams = {},
  template?: string,
): { title: string; detail: string } {
  if (locale === 'en') return english
  const entry = entryOf(code)
  const variant = template === undefined ? undefined : entry.templates?.[template]
  return { title: entry.title.zh, detail: (variant && render(variant.zh, params)) ?? entry.detail.zh }
}
