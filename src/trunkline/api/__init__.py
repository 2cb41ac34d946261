"""HTTP: the app, what every dialect shares (auth, rate limits, path rules), and one folder per dialect."""
