package io.github.wsdrain.benchmarks;

/**
 * One ratio of the chart, higher is better, with its target.
 *
 * @param size the first label under the bar
 * @param against the second label: what wsdrain is compared with
 * @param threads the third label: the conditions
 * @param samples the ratio
 * @param target its target
 */
record Bar(String size, String against, String threads, Samples samples, double target) {

}
