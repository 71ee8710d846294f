/**
 * The shape of case numbers, in one place: a jurisdiction's prefix of 2 to 4 capital letters (ZZ for Zhangzhou),
 * then the year and a serial of at least six digits (the case repository numbers them `<prefix>-<year>-<serial>`).
 */
const PREFIX = '[A-Z]{2,4}'

export const CASE_NUMBER_PREFIX_PATTERN = new RegExp(`^${PREFIX}$`)
export const CASE_NUMBER_PATTERN = new RegExp(`^${PREFIX}-\\d{4}-\\d{6,12}$`)
