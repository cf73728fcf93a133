package io.github.wsdrain.server;

import java.time.Duration;

import org.springframework.http.CacheControl;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Serves the browser client, {@code /wsdrain/wsdrain.js} and its {@code wsdrain.d.ts},
 * from {@code META-INF/resources/wsdrain} with a {@code Cache-Control} header: browsers
 * keep the module for the cache period and then revalidate it with its
 * {@code Last-Modified} date, so an upgraded starter reaches them within that period.
 */
public class BrowserClientResources implements WebMvcConfigurer {

	/** The URL path of the module's folder. */
	public static final String PATH_PATTERN = "/wsdrain/**";

	private final Duration cachePeriod;

	/**
	 * Create the resource handler registration.
	 * @param cachePeriod how long browsers may use the module without asking again
	 */
	public BrowserClientResources(Duration cachePeriod) {
		this.cachePeriod = cachePeriod;
	}

	@Override
	public void addResourceHandlers(ResourceHandlerRegistry registry) {
		registry.addResourceHandler(PATH_PATTERN)
			.addResourceLocations("classpath:/META-INF/resources/wsdrain/")
			.setCacheControl(CacheControl.maxAge(this.cachePeriod).cachePublic().mustRevalidate());
	}

}
