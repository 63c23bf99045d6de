import { describe, expect, it } from 'vitest';
import {
  CURVE_COLUMNS,
  CURVE_DIMENSIONS,
  CurveDiffPoint,
  CurvePoint,
  CurveSummary,
  curveFilters,
} from '#functions/curves/routes';

describe('curve schemas are built on first use', () => {
  it('lists the dimensions as curveFilters() declares them, in its order', () => {
    expect(CURVE_DIMENSIONS).toEqual(Object.keys(curveFilters()));
  });

  it('lists the CSV columns as CurvePoint() declares them, in its order', () => {
    expect(CURVE_COLUMNS).toEqual(Object.keys(CurvePoint().shape));
  });

  it('gives the same schema objects on every call', () => {
    expect(curveFilters()).toBe(curveFilters());
    expect(CurvePoint()).toBe(CurvePoint());
    expect(CurveDiffPoint()).toBe(CurveDiffPoint());
    expect(CurveSummary()).toBe(CurveSummary());
  });
});
