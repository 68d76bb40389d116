const SVG = 'http://www.w3.org/2000/svg';

/** A rolling window of samples drawn as an inline SVG polyline. */
export interface Sparkline {
  push(value: number): void;
}

/** Draws the last `size` values into `svg` (viewBox 300×60), scaled to the window's maximum. */
export function createSparkline(svg: SVGSVGElement, size = 60): Sparkline {
  const values: number[] = [];
  const line = document.createElementNS(SVG, 'polyline');
  svg.append(line);
  return {
    push(value) {
      values.push(value);
      if (values.length > size) values.shift();
      const max = Math.max(1, ...values);
      const step = 300 / (size - 1);
      // Newest sample at the right edge, so a short history grows leftwards like a strip chart.
      const last = values.length - 1;
      const points = values.map(
        (v, i) => `${(300 - (last - i) * step).toFixed(1)},${(58 - (v / max) * 56).toFixed(1)}`,
      );
      line.setAttribute('points', points.join(' '));
      svg.dataset.samples = String(values.length);
    },
  };
}
