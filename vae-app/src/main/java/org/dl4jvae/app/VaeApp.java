package org.dl4jvae.app; public class VaeApp { public static void main(String[] a){} }
