// The through-guard jest project: alertscale's Docker calls go through the Docker API guard.
process.env.ALERTSCALE_TEST_DOCKER = 'guard';
