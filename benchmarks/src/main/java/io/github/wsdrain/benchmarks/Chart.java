package io.github.wsdrain.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

/**
 * Two panels drawn with Java2D: the throughput ratios (server side, and the buffering
 * client against a plain handler) against their targets, and drain
 * time against queued bytes next to the same bytes crossing with no close.
 */
final class Chart {

	private static final int WIDTH = 1200;

	private static final int HEIGHT = 440;

	private static final Color WSDRAIN = new Color(0x1f77b4);

	private static final Color BASELINE = new Color(0xff7f0e);

	private static final Color TARGET = new Color(0xd62728);

	private final Report report;

	Chart(Report report) {
		this.report = report;
	}

	void write(Path file) throws IOException {
		BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
		Graphics2D g = image.createGraphics();
		try {
			g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
			g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
			g.setColor(Color.WHITE);
			g.fillRect(0, 0, WIDTH, HEIGHT);
			if (!this.report.bars().isEmpty()) {
				ratios(g, new Rectangle2D.Double(60, 50, 640, 320));
			}
			if (!this.report.drain().rows().isEmpty()) {
				drains(g, new Rectangle2D.Double(800, 50, 360, 320));
			}
		}
		finally {
			g.dispose();
		}
		Files.createDirectories(file.getParent());
		if (!ImageIO.write(image, "png", file.toFile())) {
			throw new IOException("No PNG writer");
		}
	}

	private void ratios(Graphics2D g, Rectangle2D area) {
		title(g, area, "wsdrain over stock Spring (geometric mean, 95 % interval)");
		List<Bar> bars = this.report.bars();
		double top = 1.4;
		for (Bar bar : bars) {
			top = Math.max(top, Math.ceil(Math.max(Math.min(bar.samples().high(), 4), bar.target()) * 5) / 5 + 0.2);
		}
		double max = top;
		axes(g, area);
		g.setFont(g.getFont().deriveFont(11f));
		for (double y = 0; y <= max + 1e-9; y += 0.2) {
			double py = area.getMaxY() - y / max * area.getHeight();
			g.setColor(new Color(0xdddddd));
			g.draw(new Line2D.Double(area.getX(), py, area.getMaxX(), py));
			g.setColor(Color.DARK_GRAY);
			g.drawString(String.format(Locale.ROOT, "%.1f", y), (float) area.getX() - 30, (float) py + 4);
		}
		double slot = area.getWidth() / bars.size();
		for (int i = 0; i < bars.size(); i++) {
			Bar bar = bars.get(i);
			double x = area.getX() + i * slot + slot * 0.2;
			double w = slot * 0.6;
			double py = area.getMaxY() - Math.min(bar.samples().estimate(), max) / max * area.getHeight();
			g.setColor(WSDRAIN);
			g.fill(new Rectangle2D.Double(x, py, w, area.getMaxY() - py));
			whisker(g, x + w / 2, area.getMaxY() - Math.min(bar.samples().low(), max) / max * area.getHeight(),
					area.getMaxY() - Math.min(bar.samples().high(), max) / max * area.getHeight());
			double ty = area.getMaxY() - bar.target() / max * area.getHeight();
			g.setColor(TARGET);
			g.setStroke(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] { 5f, 4f }, 0f));
			g.draw(new Line2D.Double(x - 8, ty, x + w + 8, ty));
			g.setStroke(new BasicStroke(1f));
			g.setColor(Color.BLACK);
			// Beside the whisker, so that neither hides the other.
			g.drawString(String.format(Locale.ROOT, "%.2f", bar.samples().estimate()), (float) (x + w / 2 + 6),
					(float) py - 4);
			centered(g, bar.size(), x + w / 2, area.getMaxY() + 15);
			centered(g, bar.against(), x + w / 2, area.getMaxY() + 29);
			centered(g, bar.threads(), x + w / 2, area.getMaxY() + 43);
		}
		legend(g, area.getX(), area.getMaxY() + 62, TARGET, "target (dashed); higher is better");
	}

	private void drains(Graphics2D g, Rectangle2D area) {
		title(g, area, "Drain time against queued bytes (median, min–max)");
		List<DrainSection.Row> rows = this.report.drain().rows();
		double maxMillis = 0;
		for (DrainSection.Row row : rows) {
			maxMillis = Math.max(maxMillis, Math.max(row.drain().max(), row.transfer().max()));
		}
		double minMillis = Double.MAX_VALUE;
		for (DrainSection.Row row : rows) {
			minMillis = Math.min(minMillis, Math.min(row.drain().min(), row.transfer().min()));
		}
		// Log scale, whole decades: 1 MB and 64 MB differ by ~64x.
		double bottomDecade = Math.floor(Math.log10(Math.max(minMillis, 0.01)));
		double topDecade = Math.ceil(Math.log10(maxMillis));
		if (topDecade <= bottomDecade) {
			topDecade = bottomDecade + 1;
		}
		YScale scale = new YScale(area, bottomDecade, topDecade);
		double minLog = Math.log(rows.get(0).queued()) / Math.log(2) - 1;
		double maxLog = Math.log(rows.get(rows.size() - 1).queued()) / Math.log(2) + 1;
		axes(g, area);
		g.setFont(g.getFont().deriveFont(11f));
		for (double decade = bottomDecade; decade <= topDecade + 1e-9; decade++) {
			double value = Math.pow(10, decade);
			double py = scale.y(value);
			g.setColor(new Color(0xdddddd));
			g.draw(new Line2D.Double(area.getX(), py, area.getMaxX(), py));
			g.setColor(Color.DARK_GRAY);
			String label = (value >= 1) ? String.format(Locale.ROOT, "%.0f ms", value)
					: String.format(Locale.ROOT, "%s ms", value);
			g.drawString(label, (float) area.getX() - 55, (float) py + 4);
		}
		double[][] points = new double[2][rows.size() * 2];
		for (int i = 0; i < rows.size(); i++) {
			DrainSection.Row row = rows.get(i);
			double lx = (Math.log(row.queued()) / Math.log(2) - minLog) / (maxLog - minLog);
			double px = area.getX() + lx * area.getWidth();
			g.setColor(Color.BLACK);
			centered(g, Bench.bytes(row.queued()), px, area.getMaxY() + 15);
			plotPoint(g, scale, px - 5, row.transfer(), BASELINE);
			plotPoint(g, scale, px + 5, row.drain(), WSDRAIN);
			points[0][2 * i] = px - 5;
			points[0][2 * i + 1] = scale.y(row.transfer().median());
			points[1][2 * i] = px + 5;
			points[1][2 * i + 1] = scale.y(row.drain().median());
		}
		connect(g, points[0], BASELINE);
		connect(g, points[1], WSDRAIN);
		g.setColor(Color.BLACK);
		centered(g, "queued bytes (log scale; time axis log scale too), 64 KB messages", area.getCenterX(),
				area.getMaxY() + 32);
		legend(g, area.getX(), area.getMaxY() + 50, WSDRAIN, "closeAsync() → close frame received by the client");
		legend(g, area.getX(), area.getMaxY() + 66, BASELINE, "same bytes, same connection, no close");
	}

	private static void plotPoint(Graphics2D g, YScale scale, double px, Samples samples, Color color) {
		double py = scale.y(samples.median());
		whisker(g, px, scale.y(samples.min()), scale.y(samples.max()));
		g.setColor(color);
		g.fill(new Ellipse2D.Double(px - 4, py - 4, 8, 8));
	}

	private static void connect(Graphics2D g, double[] xy, Color color) {
		g.setColor(color);
		g.setStroke(new BasicStroke(1.5f));
		for (int i = 2; i < xy.length; i += 2) {
			g.draw(new Line2D.Double(xy[i - 2], xy[i - 1], xy[i], xy[i + 1]));
		}
		g.setStroke(new BasicStroke(1f));
	}

	private static void whisker(Graphics2D g, double x, double yMin, double yMax) {
		g.setColor(Color.BLACK);
		g.draw(new Line2D.Double(x, yMin, x, yMax));
		g.draw(new Line2D.Double(x - 4, yMin, x + 4, yMin));
		g.draw(new Line2D.Double(x - 4, yMax, x + 4, yMax));
	}

	private static void axes(Graphics2D g, Rectangle2D area) {
		g.setColor(Color.BLACK);
		g.draw(new Line2D.Double(area.getX(), area.getY(), area.getX(), area.getMaxY()));
		g.draw(new Line2D.Double(area.getX(), area.getMaxY(), area.getMaxX(), area.getMaxY()));
	}

	private static void title(Graphics2D g, Rectangle2D area, String text) {
		g.setColor(Color.BLACK);
		g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
		centered(g, text, area.getCenterX(), area.getY() - 20);
		g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
	}

	private static void legend(Graphics2D g, double x, double y, Color color, String text) {
		g.setColor(color);
		g.fill(new Rectangle2D.Double(x, y - 9, 14, 10));
		g.setColor(Color.BLACK);
		g.drawString(text, (float) x + 20, (float) y);
	}

	private static void centered(Graphics2D g, String text, double x, double y) {
		int width = g.getFontMetrics().stringWidth(text);
		g.drawString(text, (float) (x - width / 2.0), (float) y);
	}

	private record YScale(Rectangle2D area, double bottomDecade, double topDecade) {

		double y(double value) {
			double fraction = (Math.log10(value) - this.bottomDecade) / (this.topDecade - this.bottomDecade);
			return this.area.getMaxY() - fraction * this.area.getHeight();
		}

	}



}
