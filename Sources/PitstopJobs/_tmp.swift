// PitstopJobs
