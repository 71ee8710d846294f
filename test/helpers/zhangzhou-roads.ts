/**
 * A small road register in Longwen district, Zhangzhou, with lengths known by construction: on turf's sphere
 * (radius 6371008.8 m) a meridian arc of Δφ radians is R·Δφ long, and a line along a parallel at latitude φ
 * spanning Δλ is 2R·asin(cos φ · sin(Δλ/2)) long (the haversine formula with Δφ = 0).
 */
const R = 6_371_008.8
const DEG = 180 / Math.PI

/** Degrees of latitude for `meters` north along a meridian. */
export const northDegrees = (meters: number) => (meters / R) * DEG

/** Degrees of longitude for a line of `meters` along the parallel at `lat`. */
export const eastDegrees = (meters: number, lat: number) => 2 * Math.asin(Math.sin(meters / (2 * R)) / Math.cos(lat / DEG)) * DEG

/** An east-west line of exactly `meters` starting at [lon, lat]. */
export const eastLine = (lon: number, lat: number, meters: number) => ({
  type: 'LineString' as const,
  coordinates: [
    [lon, lat],
    [lon + eastDegrees(meters, lat), lat],
  ],
})

/** A north-south line of exactly `meters` starting at [lon, lat]. */
export const northLine = (lon: number, lat: number, meters: number) => ({
  type: 'LineString' as const,
  coordinates: [
    [lon, lat],
    [lon, lat + northDegrees(meters)],
  ],
})

export const SHUIXIAN_LAT = 24.513
export const SHUIXIAN_WEST = 117.64
const JIUHU_LON = 117.66

/** 水仙大街: an arterial running 1200 m east from 117.64 E along 24.513 N, rebuilt and put into use on 2021-06-01. */
export const shuixian = {
  code: 'ZZ-LW-0001',
  body: {
    name: '水仙大街 Shuixian Avenue',
    district: 'Longwen',
    class: 'arterial',
    geometry: eastLine(SHUIXIAN_WEST, SHUIXIAN_LAT, 1200),
    builtOn: '2021-06-01',
  },
}

/** 九湖路: a secondary road running 800 m north from 24.50 N along 117.66 E, overhauled 2024-02-29, closed for an event in May 2026. */
export const jiuhu = {
  code: 'ZZ-LW-0002',
  body: {
    name: '九湖路 Jiuhu Road',
    district: 'Longwen',
    class: 'secondary',
    geometry: northLine(JIUHU_LON, 24.5, 800),
    builtOn: '2001-09-30',
    overhauledOn: '2024-02-29',
    restrictions: [{ from: '2026-05-01', to: '2026-05-05', reason: 'Labour Day festival traffic plan 五一交通保障' }],
  },
}

/** 建元路: a branch road in Xiangcheng, built long ago, not protected. */
export const jianyuan = {
  code: 'ZZ-XC-0003',
  body: {
    name: '建元路 Jianyuan Road',
    district: 'Xiangcheng',
    class: 'branch',
    geometry: eastLine(117.65, 24.53, 600),
    builtOn: '1998-01-01',
  },
}

/** Works `meters` long along Shuixian Avenue, `offsetMeters` north of its centreline, starting `fromWest` metres in. */
export function worksAlongShuixian(meters: number, offsetMeters = 3, fromWest = 100) {
  const lat = SHUIXIAN_LAT + northDegrees(offsetMeters)
  return eastLine(SHUIXIAN_WEST + eastDegrees(fromWest, lat), lat, meters)
}

/** Works `meters` long along Jiuhu Road, 4 m east of it, starting 200 m north of its south end. */
export function worksAlongJiuhu(meters: number) {
  return northLine(JIUHU_LON + eastDegrees(4, 24.5), 24.5 + northDegrees(200), meters)
}
