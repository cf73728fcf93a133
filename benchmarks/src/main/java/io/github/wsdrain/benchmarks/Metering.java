package io.github.wsdrain.benchmarks;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.github.wsdrain.metrics.WsDrainServerMetrics;
import io.github.wsdrain.server.resume.ResumableSessions;
import io.github.wsdrain.session.DrainSettings;
import io.github.wsdrain.server.DrainingSessionRegistry;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

/**
 * Two draining-session registries with the server's settings, the same but for metrics:
 * one has {@link WsDrainServerMetrics} as its listener, bound to a
 * {@link SimpleMeterRegistry} that a scraper reads while a metered run is on; the other
 * has no listener and no meter registry.
 */
final class Metering implements AutoCloseable {

	/** 150 times as often as Prometheus's default 15 s: any cost of a scrape shows. */
	static final Duration SCRAPE_INTERVAL = Duration.ofMillis(100);

	private final DrainingSessionRegistry unmetered;

	private final DrainingSessionRegistry metered;

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final ScheduledExecutorService scraper = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "bench-scraper");
		thread.setDaemon(true);
		return thread;
	});

	private final AtomicLong scrapes = new AtomicLong();

	/** What the scrapes read, kept so that no reading can be optimised away. */
	private volatile double lastScrapeSum;

	private ScheduledFuture<?> scraping;

	Metering(DrainSettings settings, ObjectProvider<ResumableSessions> resumableSessions) {
		// The binder looks its registry up when bound, as in the application context.
		StaticListableBeanFactory beans = new StaticListableBeanFactory();
		WsDrainServerMetrics metrics = new WsDrainServerMetrics(beans.getBeanProvider(DrainingSessionRegistry.class),
				resumableSessions);
		// These sessions wrap /plain's, whose Pongs no wsdrain handler sees: without the close barrier,
		// a close does not wait out its timeout. Both registries alike, so that only metrics differ.
		DrainSettings noBarrier = settings.withCloseBarrierTimeout(Duration.ZERO);
		this.metered = new DrainingSessionRegistry(noBarrier, List.of(metrics));
		beans.addBean("drainingSessionRegistry", this.metered);
		metrics.bindTo(this.meters);
		this.unmetered = new DrainingSessionRegistry(noBarrier, List.of());
	}

	DrainingSessionRegistry unmetered() {
		return this.unmetered;
	}

	DrainingSessionRegistry metered() {
		return this.metered;
	}

	SimpleMeterRegistry meters() {
		return this.meters;
	}

	void startScraping() {
		this.scraping = this.scraper.scheduleAtFixedRate(this::scrape, 0, SCRAPE_INTERVAL.toMillis(),
				TimeUnit.MILLISECONDS);
	}

	void stopScraping() {
		this.scraping.cancel(false);
	}

	long scrapes() {
		return this.scrapes.get();
	}

	int meterCount() {
		return this.meters.getMeters().size();
	}

	/**
	 * Return the CPU time of one scrape, on average over many on the calling thread: one
	 * scrape is far below the resolution of the thread CPU clock.
	 * @param count how many scrapes to time
	 * @return nanoseconds of CPU per scrape
	 */
	double scrapeCpuNanos(int count) {
		var threads = ManagementFactory.getThreadMXBean();
		long before = threads.getCurrentThreadCpuTime();
		for (int i = 0; i < count; i++) {
			readEveryMeter();
		}
		return (threads.getCurrentThreadCpuTime() - before) / (double) count;
	}

	private void scrape() {
		readEveryMeter();
		this.scrapes.incrementAndGet();
	}

	/** Read every meter, as a registry's publisher or an Actuator request does. */
	private void readEveryMeter() {
		double sum = 0;
		for (Meter meter : this.meters.getMeters()) {
			for (Measurement measurement : meter.measure()) {
				sum += measurement.getValue();
			}
		}
		this.lastScrapeSum = sum;
	}

	@Override
	public void close() {
		this.scraper.shutdownNow();
		this.metered.destroy();
		this.unmetered.destroy();
		this.meters.close();
	}

}
