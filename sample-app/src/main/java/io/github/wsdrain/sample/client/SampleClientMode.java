package io.github.wsdrain.sample.client;

import java.io.PrintStream;
import java.util.Map;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;

/**
 * Runs the sample app as a client: no web server, no banner, and stdout reserved for the
 * JSON summary line (everything else printed, logs included, goes to stderr).
 */
public final class SampleClientMode {

	private SampleClientMode() {
	}

	/**
	 * Run the application in client mode.
	 * @param application the application, not yet run
	 * @param args the command line, holding {@code --wsdrain.sample.client.url=…}
	 * @param stdout where the JSON summary line goes
	 * @return the exit code: 0 once the connection has closed, non-zero if it could not be
	 * opened or went quiet
	 */
	public static int run(SpringApplication application, String[] args, PrintStream stdout) {
		application.setWebApplicationType(WebApplicationType.NONE);
		application.setBannerMode(Banner.Mode.OFF);
		application.setLogStartupInfo(false);
		// Tomcat warns with a stack trace when its close frame cannot be written after a reset.
		application.setDefaultProperties(
				Map.of("logging.level.root", "warn", "logging.level.org.apache.tomcat.websocket", "error"));
		application.addInitializers((context) -> context.getBeanFactory()
			.registerSingleton("sampleClientOutput", new Output(stdout)));
		PrintStream originalOut = System.out;
		System.setOut(System.err);
		try {
			return SpringApplication.exit(application.run(args));
		}
		finally {
			System.setOut(originalOut);
		}
	}

	/**
	 * Where the runner prints its JSON line.
	 * @param stream the stream
	 */
	public record Output(PrintStream stream) {
	}

}
